import { checkJsonBody, MAX_JSON_DEPTH, reservedKeyPath } from './request-limits';

const check = (text: string): string => {
  try {
    checkJsonBody(Buffer.from(text));
    return 'ok';
  } catch (error) {
    return (error as { type: string }).type;
  }
};

describe('checkJsonBody', () => {
  it(`accepts nesting up to ${MAX_JSON_DEPTH} levels and refuses deeper`, () => {
    expect(check(`${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}`)).toBe('ok');
    expect(check(`${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`)).toBe('entity.too.deep');
  });

  it('does not count brackets inside strings', () => {
    expect(check(JSON.stringify({ a: '['.repeat(500), b: '\\"[[[' }))).toBe('ok');
  });

  it('refuses a \\u0000 escape in a string, but not an escaped backslash followed by u0000', () => {
    expect(check('{"name":"a\\u0000b"}')).toBe('entity.nul.character');
    expect(check(JSON.stringify({ name: 'a\\u0000b' }))).toBe('ok');
  });
});

describe('reservedKeyPath', () => {
  it('names the first prototype key at any depth, in objects and arrays', () => {
    expect(reservedKeyPath(JSON.parse('{"config":{"mode":"BEARER","constructor":"x"}}'))).toBe('config.constructor');
    expect(reservedKeyPath(JSON.parse('{"a":[{"b":1},{"__proto__":{"isAdmin":true}}]}'))).toBe('a.1.__proto__');
    expect(reservedKeyPath(JSON.parse('{"prototype":1}'))).toBe('prototype');
    expect(reservedKeyPath({ config: { authorizationParams: { prompt: 'consent' } }, list: ['constructor'] })).toBeUndefined();
    expect(reservedKeyPath('constructor')).toBeUndefined();
  });
});
