/**
 * The bounds of a connection's metadata and tags (ADR 0017), the same wherever they are given: when
 * a connect session opens (oauth-authorization), in the connect events that carry them, and in
 * `PATCH /v1/connections/{id}` and imports (token-issuance).
 */

/** A field and what is wrong with it, as `validation_failed` lists them. */
export interface ProfileProblem {
  path: string;
  message: string;
}

export const METADATA_LIMITS = { maxBytes: 16 * 1024, maxDepth: 5 } as const;
export const TAG_LIMITS = { maxTags: 20, maxValueLength: 256 } as const;
/** A letter or digit first, then letters, digits, `_`, `.`, `-`; no `:` so that `tag=key:value` splits at the first colon. */
export const TAG_KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const CONTROL_CHARACTERS = /\p{Cc}/u;
/** A `tag` filter of the list: `key:value`, split at the first colon. */
export const TAG_FILTER = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}:[^\p{Cc}]{1,256}$/u;

/**
 * RFC 7396 JSON Merge Patch: an object merges member by member, `null` removes a member, anything
 * else (arrays included) replaces. @see https://www.rfc-editor.org/rfc/rfc7396#section-2
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** What is wrong with metadata as it would be stored (after a merge), under `path`. */
export function metadataProblems(metadata: Record<string, unknown>, path = 'metadata'): ProfileProblem[] {
  if (depthBeyond(metadata, METADATA_LIMITS.maxDepth) > METADATA_LIMITS.maxDepth) return [{ path, message: `metadata must nest at most ${METADATA_LIMITS.maxDepth} levels deep` }];
  const bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  if (bytes > METADATA_LIMITS.maxBytes) return [{ path, message: `metadata must be at most ${METADATA_LIMITS.maxBytes} bytes as JSON (it is ${bytes})` }];
  return [];
}

/** What is wrong with a tag set as it would be stored (after a merge). */
export function tagProblems(tags: Record<string, unknown>, path = 'tags'): ProfileProblem[] {
  const problems: ProfileProblem[] = [];
  const keys = Object.keys(tags);
  if (keys.length > TAG_LIMITS.maxTags) problems.push({ path, message: `a connection has at most ${TAG_LIMITS.maxTags} tags (this would be ${keys.length})` });
  for (const key of keys) {
    const value = tags[key];
    if (!TAG_KEY.test(key)) problems.push({ path: `${path}.${key}`, message: 'tag keys are 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit' });
    else if (typeof value !== 'string' || value.length === 0 || value.length > TAG_LIMITS.maxValueLength || CONTROL_CHARACTERS.test(value)) {
      problems.push({ path: `${path}.${key}`, message: `a tag value is a string of 1 to ${TAG_LIMITS.maxValueLength} characters without control characters` });
    }
  }
  return problems;
}

/** `key:value` of a `tag` filter that matches {@link TAG_FILTER}. */
export function parseTagFilter(filter: string): { key: string; value: string } {
  const colon = filter.indexOf(':');
  return { key: filter.slice(0, colon), value: filter.slice(colon + 1) };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * An empty object or array counts as a level, a scalar as none. Iterative and stopping past
 * `limit`, so that a hostile, deeply nested body costs no stack and little time.
 */
function depthBeyond(value: unknown, limit: number): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (!Array.isArray(current) && !isPlainObject(current)) continue;
    const level = depth + 1;
    deepest = Math.max(deepest, level);
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(current) ? current : Object.values(current)) pending.push([child, level]);
  }
  return deepest;
}
