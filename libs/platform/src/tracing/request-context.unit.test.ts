import { acceptRequestId, currentRequest, noteRequestWorkspace, runInRequestContext } from './request-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('acceptRequestId', () => {
  it.each(['a', 'req-123', '1-67891233-abcdef012345678912345678', 'svc.gateway_1:42', 'x'.repeat(128)])('keeps a well-formed id from the caller: %s', (id) => {
    expect(acceptRequestId(id)).toBe(id);
  });

  it.each([
    ['empty', ''],
    ['too long', 'x'.repeat(129)],
    ['a space', 'two words'],
    ['a newline (log injection)', 'ok\nlevel=error'],
    ['a quote', 'a"b'],
    ['a slash', 'a/b'],
    ['an equals sign', 'Root=1-abc'],
    ['non-ASCII', 'café'],
  ])('replaces one with %s by a new UUID', (_what, id) => {
    const accepted = acceptRequestId(id);
    expect(accepted).not.toBe(id);
    expect(accepted).toMatch(UUID);
  });

  it('makes a UUID when there is none, and a new one each time', () => {
    const first = acceptRequestId(undefined);
    expect(first).toMatch(UUID);
    expect(acceptRequestId(undefined)).not.toBe(first);
  });

  it('replaces a repeated header (sent twice) rather than choosing one', () => {
    expect(acceptRequestId(['a', 'b'])).toMatch(UUID);
  });
});

describe('request context', () => {
  it('is the current request inside its work, across awaits, and absent outside', async () => {
    expect(currentRequest()).toBeUndefined();
    await runInRequestContext({ requestId: 'r-1' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      noteRequestWorkspace('w-1');
      expect(currentRequest()).toEqual({ requestId: 'r-1', workspaceId: 'w-1' });
    });
    expect(currentRequest()).toBeUndefined();
    expect(() => noteRequestWorkspace('w-2')).not.toThrow();
  });
});
