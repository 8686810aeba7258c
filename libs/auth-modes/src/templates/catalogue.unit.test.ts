/**
 * The schema test of the template catalogue: every file in catalogue/ is one valid template. Adding a
 * provider is one JSON file (and its import line in catalogue/index.ts); this test says what is wrong.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTH_MODES, configFromTemplate, listTemplates, splitSecrets, validateAuthConfig, type AuthConfig } from '@cb/auth-modes';
import { CATALOGUE_FILES } from './catalogue';

const DIRECTORY = join(__dirname, 'catalogue');
const FILES = readdirSync(DIRECTORY).filter((name) => name.endsWith('.json')).sort();
const MEMBERS = ['id', 'name', 'mode', 'config', 'defaultScopes', 'docsUrl', 'notes', 'verification'];
const REQUIRED = ['id', 'name', 'mode', 'config', 'docsUrl', 'notes'];
const PLACEHOLDER_CLIENT = { clientId: 'placeholder-client-id', clientSecret: 'placeholder-client-secret' };

type File = Record<string, unknown> & { config: Record<string, unknown> & { mode?: unknown }; defaultScopes?: string[] };
const read = (name: string): File => JSON.parse(readFileSync(join(DIRECTORY, name), 'utf8')) as File;

function validated(file: File): AuthConfig {
  const input = file.mode === 'OAUTH2' ? { ...file.config, ...PLACEHOLDER_CLIENT, scopes: file.defaultScopes } : file.config;
  const result = validateAuthConfig(input);
  if (!result.ok) throw new Error(`${String(file.id)}: ${JSON.stringify(result.errors)}`);
  return result.value;
}

describe('the template catalogue', () => {
  it('makes, from every template, a connector configuration the broker accepts, with its verification request', () => {
    for (const template of listTemplates()) {
      const config = configFromTemplate(template, PLACEHOLDER_CLIENT);
      const result = validateAuthConfig(config);
      expect({ id: template.id, errors: result.ok ? [] : result.errors }).toEqual({ id: template.id, errors: [] });
      expect((config as { verification?: unknown }).verification).toEqual(template.verification);
    }
  });

  it('holds at least 40 templates, covering every auth mode', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(FILES.map((name) => read(name).mode))).toEqual(new Set(AUTH_MODES));
  });

  it('loads every file, and only those, once (catalogue/index.ts imports each)', () => {
    expect(Object.keys(CATALOGUE_FILES).sort()).toEqual(FILES.map((name) => name.replace(/\.json$/, '')));
    const ids = listTemplates().map((template) => template.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(Object.keys(CATALOGUE_FILES).sort());
  });

  it('lists the templates by name', () => {
    const names = listTemplates().map((template) => template.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, 'en')));
  });

  describe.each(FILES.map((name) => [name] as const))('%s', (name) => {
    const file = read(name);

    it('is named after its id and has exactly the known members', () => {
      expect(file.id).toBe(name.replace(/\.json$/, ''));
      expect(file.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      for (const member of REQUIRED) expect(file).toHaveProperty(member);
      expect(Object.keys(file).filter((member) => !MEMBERS.includes(member))).toEqual([]);
      expect(typeof file.name).toBe('string');
      expect(file.config.mode).toBe(file.mode);
    });

    it('links https documentation and explains the provider in its notes', () => {
      expect(file.docsUrl).toMatch(/^https:\/\/[^\s]+$/);
      expect(() => new URL(file.docsUrl as string)).not.toThrow();
      expect(typeof file.notes).toBe('string');
      expect((file.notes as string).length).toBeGreaterThan(20);
      expect((file.notes as string).length).toBeLessThanOrEqual(1000);
    });

    it("has a config that passes the broker's own validation for its mode, with an API base URL", () => {
      const config = validated(file);
      expect(config.apiBaseUrl).toEqual(expect.any(String));
      // the template holds no secret (such as a password field's default), nor what a connector is given at creation
      for (const member of ['clientId', 'clientSecret', 'scopes']) expect(file.config).not.toHaveProperty(member);
      if (config.mode !== 'OAUTH2') expect(splitSecrets(config).secrets).toEqual({});
    });

    it('names default scopes only for OAuth2', () => {
      if (file.mode === 'OAUTH2') {
        expect(Array.isArray(file.defaultScopes)).toBe(true);
      } else {
        expect(file.defaultScopes ?? []).toEqual([]);
      }
    });

    it('has a verification request of the agreed shape when it has one', () => {
      if (file.verification === undefined) return;
      const verification = file.verification as Record<string, unknown>;
      expect(Object.keys(verification).sort()).toEqual(['expectedStatus', 'method', 'path']);
      expect(['GET', 'HEAD', 'POST']).toContain(verification.method);
      expect(verification.path).toMatch(/^\/[^?#\s]*$/);
      expect(verification.path).not.toMatch(/(^|\/)\.\.?(\/|$)|\{/);
      expect(Number.isInteger(verification.expectedStatus)).toBe(true);
      expect(verification.expectedStatus).toBeGreaterThanOrEqual(200);
      expect(verification.expectedStatus).toBeLessThan(300);
    });
  });
});
