import type { AuthConfig } from './auth-config';
import { joinPath, type FieldError, type ValidationResult } from './field-error';
import type { UrlTemplateValues } from './url/url-template';
import { matchesWholly } from './validation/linear-pattern';
import { SINGLE_LINE, TENANT } from './validation/patterns';

/** A connection's values for its connector's URL placeholders; pass it to `renderUrl`. */
export interface ConnectionAttributes extends UrlTemplateValues {
  readonly tenant?: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/** With `missingAllowed`: the attributes still to be asked for (the connect dialog asks the end user). */
export interface PartialConnectionAttributes extends ConnectionAttributes {
  readonly missing: readonly string[];
}

const MAX_ATTRIBUTE_LENGTH = 256;

/**
 * Validates the attributes and tenant given when a connect session starts. Every required
 * attribute must be present, at most 256 characters, and match its pattern in full (on RE2, in
 * linear time: the pattern is the connector admin's, the value the end user's); unknown
 * attributes are refused. The
 * tenant falls back to the connector's `tenantId`. With `missingAllowed`, an attribute left out
 * (or empty) is not an error but listed in `missing`; a value given must still be valid.
 */
export function validateRequiredAttributes(config: AuthConfig, attributes: unknown, tenant?: unknown): ValidationResult<ConnectionAttributes>;
export function validateRequiredAttributes(
  config: AuthConfig,
  attributes: unknown,
  tenant: unknown,
  options: { missingAllowed: boolean },
): ValidationResult<PartialConnectionAttributes>;
export function validateRequiredAttributes(
  config: AuthConfig,
  attributes: unknown,
  tenant?: unknown,
  options?: { missingAllowed: boolean },
): ValidationResult<PartialConnectionAttributes> | ValidationResult<ConnectionAttributes> {
  const errors: FieldError[] = [];
  const declared = config.requiredAttributes ?? [];
  const given = attributes ?? {};
  if (typeof given !== 'object' || given === null || Array.isArray(given)) {
    return { ok: false, errors: [{ path: 'attributes', message: 'attributes must be an object' }] };
  }
  const entries = given as Record<string, unknown>;
  const known = new Set(declared.map((attribute) => attribute.key));
  for (const key of Object.keys(entries)) {
    if (!known.has(key)) errors.push({ path: joinPath('attributes', key), message: `${key} is not an attribute of this connector` });
  }
  const values: Record<string, string> = {};
  const missing: string[] = [];
  for (const attribute of declared) {
    const value = entries[attribute.key];
    if (options?.missingAllowed && (value === undefined || value === '')) {
      missing.push(attribute.key);
      continue;
    }
    const problem = attributeProblem(value, attribute.pattern);
    if (problem === undefined) values[attribute.key] = value as string;
    else errors.push({ path: joinPath('attributes', attribute.key), message: `${attribute.key} ${problem}` });
  }
  if (tenant !== undefined && (typeof tenant !== 'string' || !TENANT.test(tenant))) {
    errors.push({ path: 'tenant', message: 'tenant must be a tenant name or id' });
  }
  if (errors.length > 0) return { ok: false, errors };
  const resolvedTenant = (tenant as string | undefined) ?? (config.mode === 'OAUTH2' ? config.tenantId : undefined);
  const value: ConnectionAttributes = resolvedTenant === undefined ? { attributes: values } : { tenant: resolvedTenant, attributes: values };
  if (options === undefined) return { ok: true, value };
  return { ok: true, value: { ...value, missing } };
}

function attributeProblem(value: unknown, pattern: string | undefined): string | undefined {
  if (value === undefined || value === '') return 'is required';
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > MAX_ATTRIBUTE_LENGTH) return `must be at most ${MAX_ATTRIBUTE_LENGTH} characters`;
  if (!SINGLE_LINE.test(value)) return 'must not contain control characters';
  if (pattern !== undefined && !matchesWholly(pattern, value)) return 'does not have the expected format';
  return undefined;
}
