import { joinPath, type FieldError, type ValidationResult } from '../field-error';
import { splitSecrets } from '../secrets';
import { SINGLE_LINE } from '../validation/patterns';
import { validateAuthConfig } from '../validate-auth-config';
import type { ProviderTemplate, TemplateConfig } from './provider-template';

/**
 * What a workspace changes in a template without copying it. `config` is a JSON Merge Patch
 * (RFC 7396) of the template's config: objects merge member by member, `null` removes a member,
 * anything else (arrays included) replaces. `defaultScopes` replaces the template's (OAuth2 only).
 *
 * @see https://www.rfc-editor.org/rfc/rfc7396
 */
export interface TemplateOverride {
  readonly name?: string;
  readonly defaultScopes?: readonly string[];
  readonly config?: Readonly<Record<string, unknown>>;
}

const OVERRIDE_MEMBERS = new Set(['name', 'defaultScopes', 'config']);
/** What a connector made from the template is given, never the template. */
const SUPPLIED_AT_CREATION = ['clientId', 'clientSecret', 'scopes'] as const;
const MAX_OVERRIDE_BYTES = 16_384;
const MAX_SCOPES = 100;
/** Stand-ins for the client registration, so that the merged config is checked as activatable. */
const PLACEHOLDER_CLIENT = { clientId: 'template-override-check', clientSecret: 'template-override-check' };

/** RFC 7396 §2. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const result: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** The template as a workspace sees it with its override applied; assumes a validated override. */
export function applyTemplateOverride(template: ProviderTemplate, override: TemplateOverride): ProviderTemplate {
  return {
    ...template,
    ...(override.name === undefined ? {} : { name: override.name }),
    ...(override.defaultScopes === undefined ? {} : { defaultScopes: [...override.defaultScopes] }),
    config: (override.config === undefined ? structuredClone(template.config) : mergePatch(template.config, override.config)) as TemplateConfig,
  };
}

/**
 * Validates a workspace's override of `template`: its own shape, then the merged template's config
 * as `validateAuthConfig` would check a connector made from it (with a stand-in client registration
 * for OAuth2, so nothing that activation needs may be removed). A template keeps its mode and its
 * API base URL, and an override never holds a secret. Error paths are dotted from the override's
 * root; no message repeats a value.
 */
export function validateTemplateOverride(
  template: ProviderTemplate,
  input: unknown,
  opts: { allowInsecureLoopback?: boolean } = {},
): ValidationResult<{ override: TemplateOverride; merged: ProviderTemplate }> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: [{ path: '', message: 'the override must be an object' }] };
  }
  if (Buffer.byteLength(JSON.stringify(input)) > MAX_OVERRIDE_BYTES) {
    return { ok: false, errors: [{ path: '', message: `the override must be at most ${MAX_OVERRIDE_BYTES} bytes of JSON` }] };
  }
  const raw = input as Record<string, unknown>;
  const errors: FieldError[] = Object.keys(raw)
    .filter((key) => !OVERRIDE_MEMBERS.has(key))
    .map((key) => ({ path: key, message: `${key} is not a member of a template override (name, defaultScopes, config)` }));
  errors.push(...nameErrors(raw['name']), ...scopeErrors(template, raw['defaultScopes']), ...configShapeErrors(template, raw['config']));
  if (errors.length > 0) return { ok: false, errors };

  const override = raw as TemplateOverride;
  const merged = applyTemplateOverride(template, override);
  const candidate = merged.mode === 'OAUTH2' ? { ...merged.config, ...PLACEHOLDER_CLIENT, scopes: merged.defaultScopes } : merged.config;
  const checked = validateAuthConfig(candidate, { allowInsecureLoopback: opts.allowInsecureLoopback ?? false });
  if (!checked.ok) {
    return { ok: false, errors: checked.errors.map((e) => ({ path: e.path.startsWith('scopes') ? e.path.replace(/^scopes/, 'defaultScopes') : joinPath('config', e.path), message: e.message })) };
  }
  const mergedErrors: FieldError[] = [];
  if (checked.value.apiBaseUrl === undefined) mergedErrors.push({ path: 'config.apiBaseUrl', message: 'apiBaseUrl cannot be removed from a template' });
  if (checked.value.mode !== 'OAUTH2') {
    for (const path of Object.keys(splitSecrets(checked.value).secrets)) {
      mergedErrors.push({ path: joinPath('config', path), message: 'a template override cannot hold a secret' });
    }
  }
  return mergedErrors.length > 0 ? { ok: false, errors: mergedErrors } : { ok: true, value: { override, merged } };
}

function nameErrors(name: unknown): FieldError[] {
  if (name === undefined) return [];
  if (typeof name !== 'string' || name.length === 0 || name.length > 200 || !SINGLE_LINE.test(name)) {
    return [{ path: 'name', message: 'name must be a single line of 1 to 200 characters' }];
  }
  return [];
}

function scopeErrors(template: ProviderTemplate, scopes: unknown): FieldError[] {
  if (scopes === undefined) return [];
  if (template.mode !== 'OAUTH2') return [{ path: 'defaultScopes', message: 'defaultScopes applies only to OAuth2 templates' }];
  if (!Array.isArray(scopes) || scopes.length > MAX_SCOPES || scopes.some((scope) => typeof scope !== 'string')) {
    return [{ path: 'defaultScopes', message: `defaultScopes must be an array of at most ${MAX_SCOPES} strings` }];
  }
  return [];
}

function configShapeErrors(template: ProviderTemplate, config: unknown): FieldError[] {
  if (config === undefined) return [];
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return [{ path: 'config', message: 'config must be an object (a JSON Merge Patch)' }];
  const patch = config as Record<string, unknown>;
  const errors: FieldError[] = [];
  if ('mode' in patch && patch['mode'] !== template.mode) errors.push({ path: 'config.mode', message: 'config.mode cannot change a template\'s mode' });
  for (const member of SUPPLIED_AT_CREATION) {
    if (member in patch) {
      const hint = member === 'scopes' ? 'use defaultScopes' : 'it is given when a connector is created';
      errors.push({ path: joinPath('config', member), message: `${member} cannot be part of a template override; ${hint}` });
    }
  }
  return errors;
}
