import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import type { ConnectorEntity } from '../connectors/connector.entity';
import { ChangedPath, ConnectorChangeAction, ConnectorChangeEntity } from './connector-change.entity';

/** What the trail compares: the connector's public state and its secrets (compared, never written). */
export interface ConnectorState {
  slug: string;
  name: string;
  config: object;
  secrets: Record<string, string>;
}

/** Records every change of a connector in the caller's transaction (see {@link ConnectorChangeEntity}). */
@Injectable()
export class ConnectorAuditTrail {
  async record(manager: EntityManager, connector: ConnectorEntity, action: ConnectorChangeAction, actor: string, before: ConnectorState | null, after: ConnectorState | null): Promise<void> {
    await manager.insert(ConnectorChangeEntity, {
      id: randomUUID(),
      workspaceId: connector.workspaceId,
      connectorId: connector.id,
      version: connector.version,
      action,
      actor,
      changes: before === null && after === null ? [] : changedPaths(before, after),
      changedAt: new Date(),
    });
  }
}

export function changedPaths(before: ConnectorState | null, after: ConnectorState | null): ChangedPath[] {
  const publicBefore = flatten(before ? { slug: before.slug, name: before.name, config: before.config } : {});
  const publicAfter = flatten(after ? { slug: after.slug, name: after.name, config: after.config } : {});
  const changes: ChangedPath[] = [];
  for (const path of union(publicBefore, publicAfter)) {
    const was = publicBefore.get(path);
    const is = publicAfter.get(path);
    if (!isDeepStrictEqual(was, is)) changes.push({ path, ...(was === undefined ? {} : { before: was }), ...(is === undefined ? {} : { after: is }) });
  }
  const secretsBefore = new Map(Object.entries(before?.secrets ?? {}));
  const secretsAfter = new Map(Object.entries(after?.secrets ?? {}));
  for (const path of union(secretsBefore, secretsAfter)) {
    if (secretsBefore.get(path) !== secretsAfter.get(path)) changes.push({ path: `config.${path}`, secret: true });
  }
  return changes;
}

function union(a: Map<string, unknown>, b: Map<string, unknown>): string[] {
  return [...new Set([...a.keys(), ...b.keys()])].sort();
}

/** Leaves by dotted path; arrays are leaves (a changed list shows whole, before and after). */
function flatten(value: object, prefix = '', into = new Map<string, unknown>()): Map<string, unknown> {
  for (const [key, member] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (member !== null && typeof member === 'object' && !Array.isArray(member)) flatten(member as object, path, into);
    else if (member !== undefined) into.set(path, member);
  }
  return into;
}
