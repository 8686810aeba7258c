import type { AuthConfig } from './auth-config';
import { joinPath, type FieldError, type ValidationResult } from './field-error';
import { isFixedField, type CustomField, type CustomInputConfig } from './modes/custom/custom-input-config';
import { SINGLE_LINE } from './validation/patterns';

/**
 * Credentials an end user enters for a non-OAuth connector, tagged with the connector's mode.
 * Every string in it is a secret except `username`.
 */
export type CredentialInput =
  | { readonly mode: 'BASIC'; readonly username: string; readonly password: string }
  | { readonly mode: 'API_KEY'; readonly apiKey: string }
  | { readonly mode: 'BEARER'; readonly token: string }
  | { readonly mode: 'CUSTOM'; readonly values: Readonly<Record<string, string | number>> };

const MAX_VALUE_LENGTH = 8192;

type Fields = Record<string, unknown>;
type Outcome<T> = { value: T; errors: FieldError[] };

/**
 * Validates what an end user submits on the connect form (`{ username, password }`,
 * `{ apiKey }`, `{ token }` or `{ values }`; `mode` may be included and must match).
 *
 * Custom Input: unknown keys are refused, defaults fill missing values, hidden and disabled fields
 * keep their default (a different value is refused), `number` fields take a number or a numeric
 * string. API keys and tokens are trimmed; passwords are kept exactly. No message contains a value.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7617#section-2 (no colon in a Basic user-id)
 */
export function validateCredentialInput(config: AuthConfig, input: unknown): ValidationResult<CredentialInput> {
  if (config.mode === 'OAUTH2') {
    return fail([{ path: 'mode', message: 'OAuth2 connectors get credentials from the authorization flow' }]);
  }
  if (!isRecord(input)) return fail([{ path: '', message: 'credentials must be an object' }]);
  if (input['mode'] !== undefined && input['mode'] !== config.mode) {
    return fail([{ path: 'mode', message: `mode must be ${config.mode} for this connector` }]);
  }
  const outcome = ((): Outcome<CredentialInput> => {
    switch (config.mode) {
      case 'BASIC':
        return basicInput(input);
      case 'API_KEY':
        return singleSecret(input, 'apiKey', (apiKey) => ({ mode: 'API_KEY', apiKey }));
      case 'BEARER':
        return singleSecret(input, 'token', (token) => ({ mode: 'BEARER', token }));
      case 'CUSTOM':
        return customInput(config, input);
    }
  })();
  return outcome.errors.length > 0 ? fail(outcome.errors) : { ok: true, value: outcome.value };
}

function basicInput(input: Fields): Outcome<CredentialInput> {
  const errors = unknownKeys(input, ['mode', 'username', 'password']);
  const username = secretString(input, 'username', errors);
  const password = secretString(input, 'password', errors);
  if (username.includes(':')) errors.push({ path: 'username', message: 'username must not contain a colon' });
  return { value: { mode: 'BASIC', username, password }, errors };
}

/** Pasted keys and tokens often carry a stray newline or space; neither is ever part of one. */
function singleSecret(input: Fields, key: string, build: (value: string) => CredentialInput): Outcome<CredentialInput> {
  const errors = unknownKeys(input, ['mode', key]);
  const raw = input[key];
  const trimmed = typeof raw === 'string' ? { ...input, [key]: raw.trim() } : input;
  return { value: build(secretString(trimmed, key, errors)), errors };
}

function secretString(input: Fields, key: string, errors: FieldError[]): string {
  const problem = stringProblem(input[key], true);
  if (problem !== undefined) errors.push({ path: key, message: `${key} ${problem}` });
  return typeof input[key] === 'string' ? input[key] : '';
}

function stringProblem(value: unknown, required: boolean): string | undefined {
  if (value === undefined || value === '') return required ? 'is required' : undefined;
  if (typeof value !== 'string') return 'must be a string';
  if (value.trim() === '' && required) return 'is required';
  if (value.length > MAX_VALUE_LENGTH) return `must be at most ${MAX_VALUE_LENGTH} characters`;
  return SINGLE_LINE.test(value) ? undefined : 'must not contain control characters';
}

function customInput(config: CustomInputConfig, input: Fields): Outcome<CredentialInput> {
  const errors = unknownKeys(input, ['mode', 'values']);
  const submitted = input['values'] ?? {};
  if (!isRecord(submitted)) {
    return { value: { mode: 'CUSTOM', values: {} }, errors: [...errors, { path: 'values', message: 'values must be an object' }] };
  }
  const keys = new Set(config.fields.map((field) => field.key));
  for (const key of Object.keys(submitted)) {
    if (!keys.has(key)) errors.push({ path: joinPath('values', key), message: `${key} is not a field of this connector` });
  }
  const values: Record<string, string | number> = {};
  for (const field of config.fields) {
    const result = fieldValue(field, submitted[field.key]);
    if ('problem' in result) errors.push({ path: joinPath('values', field.key), message: `${field.key} ${result.problem}` });
    else if (result.value !== undefined) values[field.key] = result.value;
  }
  return { value: { mode: 'CUSTOM', values }, errors };
}

function fieldValue(field: CustomField, submitted: unknown): { value: string | number | undefined } | { problem: string } {
  const parsed = parseFieldValue(field, submitted);
  if ('problem' in parsed) return parsed;
  if (isFixedField(field) && parsed.value !== undefined && parsed.value !== field.default) {
    return { problem: 'is fixed by the connector and cannot be changed' };
  }
  const value = parsed.value ?? field.default;
  if (value === undefined && field.required) return { problem: 'is required' };
  return { value };
}

function parseFieldValue(field: CustomField, submitted: unknown): { value: string | number | undefined } | { problem: string } {
  if (submitted === undefined || submitted === null || submitted === '') return { value: undefined };
  if (field.type === 'number') {
    const number = typeof submitted === 'string' && submitted.trim() !== '' ? Number(submitted) : submitted;
    return typeof number === 'number' && Number.isFinite(number) ? { value: number } : { problem: 'must be a number' };
  }
  const problem = stringProblem(submitted, false);
  return problem === undefined ? { value: submitted as string } : { problem };
}

function unknownKeys(input: Fields, known: readonly string[]): FieldError[] {
  return Object.keys(input)
    .filter((key) => !known.includes(key))
    .map((key) => ({ path: key, message: `${key} is not accepted for this connector` }));
}

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail<T>(errors: FieldError[]): ValidationResult<T> {
  return { ok: false, errors };
}
