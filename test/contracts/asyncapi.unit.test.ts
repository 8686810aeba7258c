import { DiagnosticSeverity, Parser } from '@asyncapi/parser';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEAD_LETTER_TOPIC, EVENT_CATALOG } from '@cb/events';
import { AsyncApiJson, contractProblems } from './asyncapi-contract';

const ROOT = join(__dirname, '..', '..');
const read = (file: string): string => readFileSync(join(ROOT, file), 'utf8');

async function parse(text: string): Promise<{ doc: AsyncApiJson; errors: string[] }> {
  const { document, diagnostics } = await new Parser().parse(text);
  const errors = diagnostics.filter((d) => (d.severity as number) === (DiagnosticSeverity.Error as number)).map((d) => `${d.path.join('.')}: ${d.message}`);
  if (!document) return { doc: { channels: {}, operations: {} }, errors };
  return { doc: document.json<AsyncApiJson>(), errors };
}

describe('docs/asyncapi.yaml', () => {
  let doc: AsyncApiJson;
  const clone = (): AsyncApiJson => structuredClone(doc);

  beforeAll(async () => {
    const parsed = await parse(read('docs/asyncapi.yaml'));
    expect(parsed.errors).toEqual([]);
    doc = parsed.doc;
  });

  it('is a valid AsyncAPI 3 document', () => {
    expect((doc as unknown as { asyncapi: string }).asyncapi).toMatch(/^3\./);
  });

  it('agrees with EVENT_CATALOG: topics, message names, ce_type, producers, consumers, keys and payload fields', () => {
    expect(contractProblems(doc, EVENT_CATALOG)).toEqual([]);
  });

  it('describes the dead-letter topic', () => {
    expect(Object.values(doc.channels).map((c) => c.address)).toContain(DEAD_LETTER_TOPIC);
  });

  describe('the comparison catches drift', () => {
    const [first] = EVENT_CATALOG;
    if (!first) throw new Error('EVENT_CATALOG is empty');
    const channelOf = (d: AsyncApiJson): AsyncApiJson['channels'][string] => {
      const channel = Object.values(d.channels).find((c) => c.address === first.topic);
      if (!channel) throw new Error(`no channel for ${first.topic}`);
      return channel;
    };
    const payloadOf = (d: AsyncApiJson): { properties: Record<string, unknown>; required: string[] } =>
      Object.values(channelOf(d).messages ?? {})[0]?.payload as { properties: Record<string, unknown>; required: string[] };

    it('a topic missing from the document', () => {
      const changed = clone();
      channelOf(changed).address = `${first.topic}-renamed`;
      expect(contractProblems(changed, EVENT_CATALOG)).toEqual(
        expect.arrayContaining([`topic ${first.topic} is in the code but has no channel`, `channel ${first.topic}-renamed is not in EVENT_CATALOG`]),
      );
    });

    it('a payload field the class does not have, and a required field made optional', () => {
      const changed = clone();
      const payload = payloadOf(changed);
      payload.properties.invented = { type: 'string' };
      payload.required = payload.required.slice(1);
      const problems = contractProblems(changed, EVENT_CATALOG).join('\n');
      expect(problems).toMatch(/properties \[.*invented.*\] differ/);
      expect(problems).toMatch(/required \[.*\] differ/);
    });

    it('a wrong format or enum', () => {
      const changed = clone();
      for (const property of Object.values(payloadOf(changed).properties) as Record<string, unknown>[]) {
        if (property.format === 'uuid') property.format = 'date-time';
        if (Array.isArray(property.enum)) property.enum = ['something-else'];
      }
      const problems = contractProblems(changed, EVENT_CATALOG).join('\n');
      expect(problems).toMatch(/format date-time, the class says uuid/);
    });

    it('a consumer the code does not have', () => {
      const changed = clone();
      const operation = Object.values(changed.operations).find((op) => op.action === 'receive' && op.channel.address === first.topic);
      if (!operation) throw new Error('no receive operation');
      operation['x-service'] = 'gateway';
      expect(contractProblems(changed, EVENT_CATALOG).join('\n')).toMatch(/receive operations by \[.*gateway.*\], the code says/);
    });
  });
});

describe('docs/EVENTS.md', () => {
  const text = read('docs/EVENTS.md');

  it.each(EVENT_CATALOG.map((d) => [d.name, d]))('lists %s with its topic, producer and consumers', (_name, definition) => {
    const section = text.split(/^## /m).find((s) => s.startsWith(definition.name));
    expect(section).toBeDefined();
    expect(section).toContain(definition.topic);
    expect(section).toContain(definition.producer);
    for (const consumer of definition.consumers) expect(section).toContain(consumer);
  });

  it('names the dead-letter topic and says no secret travels in plaintext', () => {
    expect(text).toContain(DEAD_LETTER_TOPIC);
    expect(text).toMatch(/AES-256-GCM/);
    expect(text).toMatch(/plaintext/);
  });
});
