const MAX_DESCRIPTION_LENGTH = 300;
const MIN_SECRET_LENGTH = 4;

/**
 * Makes a provider's error description safe to log and show: one line, bounded, and with every
 * known secret value (tokens in the same response, the code or refresh token sent) cut out.
 */
export function safeDescription(description: unknown, secrets: Iterable<string>): string | undefined {
  if (typeof description !== 'string' || description.trim() === '') return undefined;
  let text = description.replace(/[\x00-\x1F\x7F]+/g, ' ');
  for (const secret of secrets) {
    if (secret.length >= MIN_SECRET_LENGTH) text = text.split(secret).join('[redacted]');
  }
  return text.length > MAX_DESCRIPTION_LENGTH ? `${text.slice(0, MAX_DESCRIPTION_LENGTH)}…` : text;
}
