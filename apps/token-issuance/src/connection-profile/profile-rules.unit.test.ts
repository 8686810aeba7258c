import { AppError } from '@cb/platform';
import { parseConnectionPatch } from './connection-patch';
import { mergePatch, METADATA_LIMITS, metadataProblems, parseTagFilter, TAG_FILTER, tagProblems } from './profile-rules';

const problemsOf = (body: unknown): Array<{ path: string; message: string }> => {
  try {
    parseConnectionPatch(body);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return ((error as AppError).details as { errors: Array<{ path: string; message: string }> }).errors;
  }
};

describe('connection metadata and tags', () => {
  it('merges as RFC 7396 says: objects member by member, null removes, arrays and scalars replace', () => {
    const stored = { plan: 'pro', limits: { seats: 5, sso: true }, regions: ['eu', 'us'] };
    expect(mergePatch(stored, { limits: { sso: null, seats: 10 }, regions: ['eu'], owner: 'ops' })).toEqual({
      plan: 'pro',
      limits: { seats: 10 },
      regions: ['eu'],
      owner: 'ops',
    });
    expect(mergePatch(stored, { plan: null })).toEqual({ limits: { seats: 5, sso: true }, regions: ['eu', 'us'] });
  });

  it('bounds metadata by its JSON size and its depth, and stops early on a hostile depth', () => {
    expect(metadataProblems({ a: 'x'.repeat(METADATA_LIMITS.maxBytes - 20) })).toEqual([]);
    expect(metadataProblems({ a: 'x'.repeat(METADATA_LIMITS.maxBytes) })[0]?.message).toMatch(/at most 16384 bytes/);
    expect(metadataProblems({ a: { b: { c: { d: { e: 1 } } } } })).toEqual([]);
    expect(metadataProblems({ a: { b: { c: { d: { e: { f: 1 } } } } } })[0]?.message).toMatch(/at most 5 levels/);
    let deep: unknown = 1;
    for (let level = 0; level < 100_000; level += 1) deep = [deep];
    expect(metadataProblems({ deep })[0]?.message).toMatch(/levels/);
  });

  it('bounds tags: count, key characters, value length', () => {
    expect(tagProblems({ plan: 'enterprise', 'team.region-1_a': 'eu:west' })).toEqual([]);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v']));
    expect(tagProblems(many)[0]?.message).toMatch(/at most 20 tags/);
    expect(tagProblems({ 'has:colon': 'v' })[0]?.path).toBe('tags.has:colon');
    expect(tagProblems({ _leading: 'v' })).toHaveLength(1);
    expect(tagProblems({ k: '' })).toHaveLength(1);
    expect(tagProblems({ k: 'x'.repeat(257) })).toHaveLength(1);
    expect(tagProblems({ k: 'line\nbreak' })).toHaveLength(1);
  });

  it('reads a tag filter as key:value split at the first colon', () => {
    expect(TAG_FILTER.test('region:eu:west')).toBe(true);
    expect(parseTagFilter('region:eu:west')).toEqual({ key: 'region', value: 'eu:west' });
    for (const bad of ['region', ':eu', 'region:', 'bad key:v']) expect(TAG_FILTER.test(bad)).toBe(false);
  });
});

describe('PATCH body of a connection', () => {
  it('takes metadata, tags and end user details, with null to clear', () => {
    expect(parseConnectionPatch({ metadata: { a: 1 }, tags: { plan: 'pro', old: null }, endUser: { email: 'ada@example.com', displayName: null } })).toEqual({
      metadata: { a: 1 },
      tags: { plan: 'pro', old: null },
      endUser: { email: 'ada@example.com', displayName: null },
    });
    expect(parseConnectionPatch({ metadata: null, tags: null })).toEqual({ metadata: null, tags: null });
  });

  it('names every problem by its path', () => {
    expect(problemsOf({})).toEqual([{ path: '', message: 'the body must change metadata, tags or endUser' }]);
    expect(problemsOf({ status: 'active', metadata: [1], tags: { plan: 3 }, endUser: { id: 'x', email: 'not-an-address', nickname: 'a' } }).map((p) => p.path)).toEqual([
      'status',
      'metadata',
      'tags.plan',
      'endUser.id',
      'endUser.email',
      'endUser.nickname',
    ]);
    expect(problemsOf({ endUser: { displayName: 'a\u0000b' } })[0]?.message).toMatch(/control characters/);
  });
});
