/**
 * Connector URLs may name per-connection values in braces:
 *
 * - `{tenant}` — the connection's tenant (e.g. a Microsoft Entra tenant id), falling back to the
 *   connector's `tenantId`;
 * - `{attr.<key>}` — the value of the connector's required attribute `<key>`, entered by the end
 *   user when connecting (e.g. `https://{attr.loginHost}/services/oauth2/token`).
 *
 * Nothing else may appear in braces.
 */
const PLACEHOLDER = /\{([^{}]*)\}/g;
const ATTRIBUTE_PREFIX = 'attr.';

export type UrlPlaceholder = { readonly kind: 'tenant' } | { readonly kind: 'attribute'; readonly key: string };

export interface UrlTemplateValues {
  readonly tenant?: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

export type UrlTemplateErrorCode =
  | 'missing_url_value'
  | 'invalid_url_value'
  | 'unknown_placeholder'
  | 'malformed_url_template';

/** Raised by {@link renderUrl}; `code` is stable, `placeholder` names the brace expression at fault. */
export class UrlTemplateError extends Error {
  override readonly name = 'UrlTemplateError';

  constructor(
    readonly code: UrlTemplateErrorCode,
    message: string,
    readonly placeholder?: string,
  ) {
    super(message);
  }
}

/** The text inside each pair of braces, in order of appearance. */
export function listPlaceholders(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((match) => match[1] ?? '');
}

export function describePlaceholder(name: string): UrlPlaceholder | undefined {
  if (name === 'tenant') return { kind: 'tenant' };
  if (name.startsWith(ATTRIBUTE_PREFIX) && name.length > ATTRIBUTE_PREFIX.length) {
    return { kind: 'attribute', key: name.slice(ATTRIBUTE_PREFIX.length) };
  }
  return undefined;
}

/** True when braces outside placeholders remain, e.g. `https://{tenant/x` or `https://x}`. */
export function hasStrayBraces(template: string): boolean {
  return /[{}]/.test(template.replace(PLACEHOLDER, ''));
}

/**
 * Fills the placeholders of a connector URL. Values are percent-encoded with
 * `encodeURIComponent`, so a value can never add a path, query, fragment, port or userinfo.
 *
 * @throws {@link UrlTemplateError} naming the first placeholder without a value or an unknown
 *   placeholder; or when the result is not an absolute URL (a value that cannot sit in a host, say).
 * @see https://www.rfc-editor.org/rfc/rfc3986#section-2.1
 */
export function renderUrl(template: string, values: UrlTemplateValues): string {
  if (hasStrayBraces(template)) {
    throw new UrlTemplateError('malformed_url_template', 'URL template has an unmatched brace');
  }
  const rendered = template.replace(PLACEHOLDER, (_match, name: string) =>
    encodeURIComponent(valueFor(name, values)),
  );
  if (!URL.canParse(rendered)) {
    const code = URL.canParse(template.replace(PLACEHOLDER, 'placeholder')) ? 'invalid_url_value' : 'malformed_url_template';
    throw new UrlTemplateError(code, 'URL template does not yield an absolute URL with these values');
  }
  return rendered;
}

function valueFor(name: string, values: UrlTemplateValues): string {
  const placeholder = describePlaceholder(name);
  if (placeholder === undefined) {
    throw new UrlTemplateError('unknown_placeholder', `URL template has an unknown placeholder {${name}}`, name);
  }
  const value = placeholder.kind === 'tenant' ? values.tenant : values.attributes?.[placeholder.key];
  if (value === undefined || value === '') {
    throw new UrlTemplateError('missing_url_value', `URL template needs a value for {${name}}`, name);
  }
  return value;
}
