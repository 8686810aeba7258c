/**
 * The audiences a JWT access token names in `aud` (RFC 9068 §2.2, RFC 7519 §4.1.3), read without
 * checking the signature: the token came straight from the token endpoint over the connection the
 * broker opened, and the claim is only compared with the resource the broker asked for. `undefined`
 * for an opaque token or one without `aud`.
 */
export function jwtAudiences(accessToken: string): string[] | undefined {
  const parts = accessToken.split('.');
  if (parts.length !== 3) return undefined;
  const header = decodeSegment(parts[0] as string);
  if (header === undefined || typeof header.alg !== 'string') return undefined;
  return audiences(decodeSegment(parts[1] as string)?.aud);
}

/** `aud` as a list: a string or an array of strings (RFC 7519 §4.1.3, RFC 7662 §2.2); `undefined` otherwise. */
export function audiences(value: unknown): string[] | undefined {
  if (typeof value === 'string' && value !== '') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string')) return value;
  return undefined;
}

/**
 * What is wrong with a token issued for `resource` (RFC 8707) whose audiences are `stated`, or
 * `undefined` when it is for that resource. URLs are compared up to a trailing slash.
 */
export function audienceProblem(resource: string, stated: readonly string[]): string | undefined {
  const wanted = withoutTrailingSlash(resource);
  if (stated.some((audience) => withoutTrailingSlash(audience) === wanted)) return undefined;
  const named = stated.slice(0, 3).map((audience) => audience.slice(0, 200)).join(', ');
  return `the token was issued for ${named}, not for the resource ${resource}`;
}

function withoutTrailingSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(segment)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
