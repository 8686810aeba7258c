/** `form` is the RFC's `application/x-www-form-urlencoded`; a few providers want JSON instead. */
export type TokenRequestFormat = 'form' | 'json';

export function encodeBody(
  params: Readonly<Record<string, string>>,
  format: TokenRequestFormat,
): { contentType: string; body: string } {
  return format === 'json'
    ? { contentType: 'application/json', body: JSON.stringify(params) }
    : { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams(params).toString() };
}
