export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

const FORM_BODY = /^[^=&\s]+=[^&\s]*(&[^=&\s]+=[^&\s]*)*$/;

/**
 * Reads a token endpoint's answer as an object: JSON (the RFC's format), or form-encoded (GitHub
 * without `Accept: application/json`). Servers that mislabel JSON as `text/plain` or
 * `text/javascript` are common, so a body that looks like JSON is read as JSON whatever its label.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-5.1
 */
export function readResponseBody(contentType: string | null, bodyText: string): JsonObject | undefined {
  const mediaType = contentType?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  const text = bodyText.trim();
  if (mediaType === 'application/x-www-form-urlencoded' || (!text.startsWith('{') && FORM_BODY.test(text))) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  return parseJsonObject(text);
}

function parseJsonObject(text: string): JsonObject | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as JsonObject) : undefined;
  } catch {
    return undefined;
  }
}
