import type { VerificationRequest } from '../../verification/verification';
import type { RequiredAttribute } from '../oauth2/oauth2-config';

export const CUSTOM_FIELD_TYPES = ['password', 'text', 'number'] as const;
/** `password` values are secrets: masked on the connect form, stored encrypted, never shown again. */
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

/** One input on the connect form of a Custom Input connector. */
export interface CustomField {
  /** How the value is named in the credential, e.g. `apiKey`. */
  readonly key: string;
  readonly label: string;
  readonly description?: string;
  readonly type: CustomFieldType;
  readonly required: boolean;
  /** A number for `number` fields, a string otherwise; a password field's default is a secret. */
  readonly default?: string | number;
  /** Not shown on the connect form; the default applies. */
  readonly hidden: boolean;
  /** Shown but not editable; the default applies. */
  readonly disabled: boolean;
}

/**
 * When a Custom Input credential expires: a fixed lifetime, or the number of seconds entered in
 * (or defaulted for) a `number` field, such as Fastn's hidden `expires_in` field.
 */
export type CustomExpiry = { readonly lifetimeSeconds: number } | { readonly fromField: string };

/**
 * Where the proxy puts a Custom Input credential: header and query parameter values are templates
 * naming fields as `{fields.<key>}`, e.g. `{ headers: { Authorization: 'Token {fields.apiKey}' } }`.
 */
export interface CustomPlacement {
  readonly headers?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
}

/** Arbitrary fields the end user fills in, in the order given. */
export interface CustomInputConfig {
  readonly mode: 'CUSTOM';
  readonly fields: readonly CustomField[];
  readonly expiry?: CustomExpiry;
  /** Where the proxy sends a connection's API calls; `{tenant}` may appear as in the other URLs. */
  readonly apiBaseUrl?: string;
  readonly placement?: CustomPlacement;
  /** A request on the API that checks a typed credential before the connection is made (see VerificationRequest). */
  readonly verification?: VerificationRequest;
  /** Values given per connection (a subdomain, a region), usable in `apiBaseUrl` as `{attr.<key>}`. */
  readonly requiredAttributes?: readonly RequiredAttribute[];
}

const FIELD_PLACEHOLDER = /\{fields\.([A-Za-z_][A-Za-z0-9_]{0,63})\}/g;

/** The field keys a placement template names. */
export function placementFieldKeys(template: string): string[] {
  return [...template.matchAll(FIELD_PLACEHOLDER)].map((match) => match[1] ?? '');
}

/** Fills a placement template with the credential's fields; `undefined` when a named field has no value. */
export function renderPlacement(template: string, fields: Readonly<Record<string, string | number>>): string | undefined {
  let missing = false;
  const rendered = template.replace(FIELD_PLACEHOLDER, (_match, key: string) => {
    const value = fields[key];
    if (value === undefined || value === '') missing = true;
    return value === undefined ? '' : String(value);
  });
  return missing ? undefined : rendered;
}

export type CustomFieldInput = Omit<CustomField, 'required' | 'hidden' | 'disabled'> &
  Partial<Pick<CustomField, 'required' | 'hidden' | 'disabled'>>;

/** Either member, never both (the DTO enforces it). */
export interface CustomExpiryInput {
  readonly lifetimeSeconds?: number;
  readonly fromField?: string;
}

export interface CustomInputConfigInput {
  readonly mode: 'CUSTOM';
  readonly fields?: readonly CustomFieldInput[];
  readonly expiry?: CustomExpiryInput;
  readonly apiBaseUrl?: string;
  readonly placement?: CustomPlacement;
  readonly verification?: VerificationRequest;
  /** Values given per connection (a subdomain, a region), usable in `apiBaseUrl` as `{attr.<key>}`. */
  readonly requiredAttributes?: readonly RequiredAttribute[];
}

export function withCustomInputDefaults(input: CustomInputConfigInput): CustomInputConfig {
  const fields = (input.fields ?? []).map((field) => ({
    ...field,
    required: field.required ?? false,
    hidden: field.hidden ?? false,
    disabled: field.disabled ?? false,
  }));
  const expiry = toExpiry(input.expiry);
  return {
    mode: 'CUSTOM',
    fields,
    ...(expiry === undefined ? {} : { expiry }),
    ...(input.apiBaseUrl === undefined ? {} : { apiBaseUrl: input.apiBaseUrl }),
    ...(input.placement === undefined ? {} : { placement: input.placement }),
    ...(input.verification === undefined ? {} : { verification: input.verification }),
    ...(input.requiredAttributes === undefined ? {} : { requiredAttributes: input.requiredAttributes }),
  };
}

function toExpiry(input: CustomExpiryInput | undefined): CustomExpiry | undefined {
  if (input?.lifetimeSeconds !== undefined) return { lifetimeSeconds: input.lifetimeSeconds };
  if (input?.fromField !== undefined) return { fromField: input.fromField };
  return undefined;
}

/** A field whose value the end user cannot change. */
export function isFixedField(field: CustomField): boolean {
  return field.hidden || field.disabled;
}
