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

/** Arbitrary fields the end user fills in, in the order given. */
export interface CustomInputConfig {
  readonly mode: 'CUSTOM';
  readonly fields: readonly CustomField[];
  readonly expiry?: CustomExpiry;
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
}

export function withCustomInputDefaults(input: CustomInputConfigInput): CustomInputConfig {
  const fields = (input.fields ?? []).map((field) => ({
    ...field,
    required: field.required ?? false,
    hidden: field.hidden ?? false,
    disabled: field.disabled ?? false,
  }));
  const expiry = toExpiry(input.expiry);
  return expiry === undefined ? { mode: 'CUSTOM', fields } : { mode: 'CUSTOM', fields, expiry };
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
