import { isEmail } from 'class-validator';
import { type FieldProblem, validationFailed } from '@cb/platform';
import { isPlainObject, metadataProblems } from './profile-rules';

type Nullable<T> = { [K in keyof T]?: T[K] | null };

export interface EndUserPatch {
  displayName?: string | null;
  email?: string | null;
  organizationId?: string | null;
}

/**
 * `PATCH /connections/{id}` as a JSON Merge Patch (RFC 7396) of the connection's editable parts:
 * `metadata` merges (`null` members removed; `"metadata": null` empties it), `tags` merges the same
 * way (`"tags": null` removes them all), `endUser` sets or (with `null`) clears its name, e-mail
 * and organization. @see https://www.rfc-editor.org/rfc/rfc7396
 */
export interface ConnectionPatch {
  metadata?: Record<string, unknown> | null;
  tags?: Record<string, string | null> | null;
  endUser?: EndUserPatch;
}

const MEMBERS = ['metadata', 'tags', 'endUser'];
const END_USER_MEMBERS: Record<keyof EndUserPatch, (value: string) => string | undefined> = {
  displayName: (value) => printable(value, 256),
  email: (value) => (value.length > 254 || !isEmail(value) ? 'must be an e-mail address of at most 254 characters' : undefined),
  organizationId: (value) => printable(value, 256),
};

/** Checks a patch's shape (the limits on the merged result are checked when it is applied). */
export function parseConnectionPatch(body: unknown): ConnectionPatch {
  if (!isPlainObject(body)) throw validationFailed([{ path: '', message: 'the body must be a JSON object' }]);
  const problems: FieldProblem[] = [];
  for (const key of Object.keys(body)) if (!MEMBERS.includes(key)) problems.push({ path: key, message: `${key} cannot be changed (metadata, tags and endUser can)` });
  if (problems.length === 0 && !MEMBERS.some((key) => key in body)) problems.push({ path: '', message: 'the body must change metadata, tags or endUser' });
  const patch: ConnectionPatch = {};
  if ('metadata' in body) {
    const metadata = body.metadata;
    if (metadata !== null && !isPlainObject(metadata)) problems.push({ path: 'metadata', message: 'metadata must be a JSON object or null' });
    else if (metadata !== null) problems.push(...metadataProblems(metadata));
    patch.metadata = metadata as ConnectionPatch['metadata'];
  }
  if ('tags' in body) {
    const tags = body.tags;
    if (tags !== null && !isPlainObject(tags)) problems.push({ path: 'tags', message: 'tags must be an object of strings, or null' });
    else if (tags !== null) {
      for (const [key, value] of Object.entries(tags)) if (value !== null && typeof value !== 'string') problems.push({ path: `tags.${key}`, message: 'a tag value is a string, or null to remove the tag' });
    }
    patch.tags = tags as ConnectionPatch['tags'];
  }
  if ('endUser' in body) patch.endUser = endUserPatch(body.endUser, problems);
  if (problems.length > 0) throw validationFailed(problems);
  return patch;
}

function endUserPatch(value: unknown, problems: FieldProblem[]): EndUserPatch {
  if (!isPlainObject(value)) {
    problems.push({ path: 'endUser', message: 'endUser must be an object of displayName, email and organizationId' });
    return {};
  }
  const patch: Nullable<EndUserPatch> = {};
  for (const [key, member] of Object.entries(value)) {
    const check = END_USER_MEMBERS[key as keyof EndUserPatch] as ((value: string) => string | undefined) | undefined;
    if (!check) {
      problems.push({ path: `endUser.${key}`, message: key === 'id' ? "the end user's id cannot change" : `${key} is not a member of endUser` });
      continue;
    }
    const problem = member === null ? undefined : typeof member !== 'string' ? 'must be a string or null' : check(member);
    if (problem) problems.push({ path: `endUser.${key}`, message: `${key} ${problem}` });
    else patch[key as keyof EndUserPatch] = member as string | null;
  }
  return patch;
}

function printable(value: string, max: number): string | undefined {
  if (value.length === 0 || value.length > max) return `must be 1 to ${max} characters`;
  return /\p{Cc}/u.test(value) ? 'must not contain control characters' : undefined;
}
