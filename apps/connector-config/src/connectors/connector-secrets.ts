import { Inject, Injectable } from '@nestjs/common';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';
import { ConnectorActivated, SealedSecretsDto } from '@cb/events';

const FIELD_DEFAULT = /^fields\.(.+)\.default$/;

/** Seals a connector's secrets for its own row, and re-seals them for the ConnectorActivated event. */
@Injectable()
export class ConnectorSecrets {
  constructor(@Inject(KEYRING) private readonly keyring: Keyring) {}

  seal(connectorId: string, secrets: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(secrets).map(([path, value]) => [path, this.keyring.seal(value, rowContext(connectorId, path))]));
  }

  open(connectorId: string, sealed: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(sealed).map(([path, value]) => [path, this.keyring.open(value, rowContext(connectorId, path))]));
  }

  /** Sealed with the AAD `ConnectorActivated:<connectorId>`, as the working agreement fixes for secrets in events. */
  forEvent(connectorId: string, secrets: Record<string, string>): SealedSecretsDto {
    const context = `${ConnectorActivated.name}:${connectorId}`;
    const sealed: SealedSecretsDto = {};
    const fieldDefaults: Record<string, string> = {};
    for (const [path, value] of Object.entries(secrets)) {
      if (path === 'clientSecret') sealed.clientSecret = this.keyring.seal(value, context);
      const field = FIELD_DEFAULT.exec(path)?.[1];
      if (field !== undefined) fieldDefaults[field] = this.keyring.seal(value, context);
    }
    if (Object.keys(fieldDefaults).length > 0) sealed.fieldDefaults = fieldDefaults;
    return sealed;
  }
}

function rowContext(connectorId: string, path: string): string {
  return `connectors:${connectorId}:${path}`;
}
