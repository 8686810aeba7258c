/**
 * Compares a parsed (dereferenced) AsyncAPI 3 document with the code's event catalog and returns
 * every disagreement as a readable line; an empty list means they agree.
 */
import { cloudEventHeaders, DEAD_LETTER_TOPIC, EventDefinition, TRACE_CONTEXT_HEADERS } from '@cb/events';
import { ExpectedProperty, ExpectedSchema, expectedSchema } from './payload-metadata';

type Json = Record<string, unknown>;

interface Channel extends Json {
  address: string;
  messages?: Record<string, Json>;
}

interface Operation extends Json {
  action: 'send' | 'receive';
  channel: Channel;
  messages?: Json[];
  'x-service'?: string;
}

export interface AsyncApiJson {
  channels: Record<string, Channel>;
  operations: Record<string, Operation>;
}

export function contractProblems(doc: AsyncApiJson, catalog: readonly EventDefinition[]): string[] {
  const problems: string[] = [];
  const channels = Object.values(doc.channels ?? {});
  const byAddress = new Map(channels.map((c) => [c.address, c]));
  const operations = Object.entries(doc.operations ?? {});

  const documented = new Set(byAddress.keys());
  const expected = new Set([...catalog.map((d) => d.topic), DEAD_LETTER_TOPIC]);
  for (const topic of expected) if (!documented.has(topic)) problems.push(`topic ${topic} is in the code but has no channel`);
  for (const topic of documented) if (!expected.has(topic)) problems.push(`channel ${topic} is not in EVENT_CATALOG`);

  for (const definition of catalog) {
    const channel = byAddress.get(definition.topic);
    if (!channel) continue;
    problems.push(...messageProblems(definition, channel));
    problems.push(...operationProblems(definition.name, channel, operations, [definition.producer], definition.consumers));
  }

  const deadLetter = byAddress.get(DEAD_LETTER_TOPIC);
  if (deadLetter) {
    const consumers = [...new Set(catalog.flatMap((d) => d.consumers))];
    problems.push(...operationProblems('dead letters', deadLetter, operations, consumers, []));
  }
  return problems;
}

function messageProblems(definition: EventDefinition, channel: Channel): string[] {
  const problems: string[] = [];
  const where = `${definition.name} (${definition.topic})`;
  const messages = Object.entries(channel.messages ?? {});
  if (messages.length !== 1) return [`${where}: the channel must carry exactly one message, has ${messages.length}`];
  const [id, message] = messages[0] as [string, Json];
  if (id !== definition.name || message.name !== definition.name) problems.push(`${where}: message is named ${id}/${String(message.name)}`);

  const headers = mergeAllOf(message.headers as Json | undefined);
  const headerProperties = (headers.properties ?? {}) as Record<string, Json>;
  const ceType = headerProperties.ce_type?.const;
  if (ceType !== definition.type) problems.push(`${where}: ce_type is ${String(ceType)}, the code says ${definition.type}`);
  const ceSource = headerProperties.ce_source?.const;
  if (ceSource !== `/credential-broker/${definition.producer}`) problems.push(`${where}: ce_source is ${String(ceSource)}, the producer is ${definition.producer}`);
  const sent = Object.keys(cloudEventHeaders(definition, definition.producer, 'subject')).sort();
  const documented = [...sent, ...TRACE_CONTEXT_HEADERS].sort();
  if (!sameList(Object.keys(headerProperties).sort(), documented)) problems.push(`${where}: headers ${Object.keys(headerProperties).join(', ')} differ from what producers send: ${documented.join(', ')}`);
  if (!sameList(((headers.required ?? []) as string[]).slice().sort(), sent)) problems.push(`${where}: every CloudEvents header producers send must be required`);

  const keyField = message['x-partition-key'];
  const sample = sampleOf(definition);
  if (typeof keyField !== 'string' || definition.key(sample) !== sample[keyField]) {
    problems.push(`${where}: x-partition-key ${String(keyField)} is not the field the code keys by`);
  }
  const bindingKey = ((message.bindings as Json | undefined)?.kafka as Json | undefined)?.key as Json | undefined;
  if (!bindingKey || bindingKey.type !== 'string') problems.push(`${where}: the Kafka binding must describe the key`);

  const payload = message.payload as Json | undefined;
  if (!payload) return [...problems, `${where}: no payload schema`];
  if (payload.additionalProperties !== false) problems.push(`${where}: the payload must say additionalProperties: false (consumers forbid unknown fields)`);
  problems.push(...schemaProblems(where, payload, expectedSchema(definition.payload)));
  return problems;
}

function schemaProblems(where: string, schema: Json, expected: ExpectedSchema): string[] {
  const problems: string[] = [];
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  const documented = Object.keys(properties).sort();
  const declared = Object.keys(expected.properties).sort();
  if (!sameList(documented, declared)) problems.push(`${where}: properties [${documented.join(', ')}] differ from the class's [${declared.join(', ')}]`);
  const required = ((schema.required ?? []) as string[]).slice().sort();
  if (!sameList(required, expected.required.slice().sort())) problems.push(`${where}: required [${required.join(', ')}] differ from the class's [${expected.required.slice().sort().join(', ')}]`);
  for (const [name, property] of Object.entries(expected.properties)) {
    const actual = properties[name];
    if (actual) problems.push(...propertyProblems(`${where}.${name}`, actual, property));
  }
  return problems;
}

function propertyProblems(where: string, actual: Json, expected: ExpectedProperty): string[] {
  const problems: string[] = [];
  const types = (Array.isArray(actual.type) ? (actual.type as string[]) : [actual.type as string]).filter((t) => t !== undefined);
  const nonNull = types.filter((t) => t !== 'null').sort();
  if (!sameList(nonNull, expected.types)) problems.push(`${where}: type [${types.join(', ')}], the class says [${expected.types.join(', ')}]`);
  if (types.includes('null') && !expected.optional) problems.push(`${where}: nullable but the class requires it`);
  for (const facet of ['format', 'minimum', 'minLength'] as const) {
    if (actual[facet] !== expected[facet]) problems.push(`${where}: ${facet} ${String(actual[facet])}, the class says ${String(expected[facet])}`);
  }
  if (JSON.stringify(sorted(actual.enum)) !== JSON.stringify(sorted(expected.enum))) problems.push(`${where}: enum ${JSON.stringify(actual.enum)}, the class says ${JSON.stringify(expected.enum)}`);
  if (expected.items) {
    const items = (actual.items ?? {}) as Json;
    if (!sameList([items.type as string], expected.items.types)) problems.push(`${where}: items type ${String(items.type)}, the class says ${expected.items.types.join(', ')}`);
  }
  if (expected.nested) problems.push(...schemaProblems(where, actual, expected.nested));
  return problems;
}

function operationProblems(what: string, channel: Channel, operations: [string, Operation][], senders: string[], receivers: string[]): string[] {
  const problems: string[] = [];
  const on = operations.filter(([, op]) => op.channel?.address === channel.address);
  for (const [action, expected] of [['send', senders], ['receive', receivers]] as const) {
    const services = on.filter(([, op]) => op.action === action).map(([, op]) => op['x-service'] ?? '(no x-service)').sort();
    if (!sameList(services, [...expected].sort())) problems.push(`${what}: ${action} operations by [${services.join(', ')}], the code says [${[...expected].sort().join(', ')}]`);
  }
  const names = Object.values(channel.messages ?? {}).map((m) => m.name);
  for (const [id, op] of on) {
    const carried = (op.messages ?? []).map((m) => m.name);
    if (carried.length === 0 || carried.some((name) => !names.includes(name))) problems.push(`${what}: operation ${id} must list the channel's message`);
  }
  return problems;
}

/** Headers are `allOf: [CloudEventHeaders, { per-event constants }]`; merge them into one view. */
function mergeAllOf(schema: Json | undefined): Json {
  if (!schema) return {};
  const parts = [schema, ...((schema.allOf ?? []) as Json[]).map(mergeAllOf)];
  const properties: Record<string, Json> = {};
  const required = new Set<string>();
  for (const part of parts) {
    for (const [name, property] of Object.entries((part.properties ?? {}) as Record<string, Json>)) properties[name] = { ...properties[name], ...property };
    for (const name of (part.required ?? []) as string[]) required.add(name);
  }
  return { properties, required: [...required] };
}

/** A payload whose every field holds a distinct value, to find out which field `key()` reads. */
function sampleOf(definition: EventDefinition): Record<string, string> & object {
  const fields = Object.keys(expectedSchema(definition.payload).properties);
  return Object.fromEntries(fields.map((field) => [field, `value-of-${field}`]));
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

function sorted(values: unknown): unknown {
  return Array.isArray(values) ? values.map((v) => JSON.stringify(v)).sort() : values;
}
