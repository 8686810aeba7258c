import { proxyPathProblem, proxyRequestHeaders, proxyResponseHeaders } from './proxy-rules';

describe('proxyPathProblem', () => {
  it('accepts ordinary paths, encoded characters and dots inside names', () => {
    for (const path of ['/v1.0/me', '/users/a%20b/files', '/a/.well-known/x', '/repos/o/r/contents/file..txt', '/search', '/x/%E2%9C%93', 'plain']) {
      expect(proxyPathProblem(path)).toBeUndefined();
    }
  });

  it.each([
    ['/../admin', 'dot_segment'],
    ['/a/..', 'dot_segment'],
    ['/a/./b', 'dot_segment'],
    ['/a/%2e%2e/b', 'dot_segment'],
    ['/a/%2E./b', 'dot_segment'],
    ['/a/.%2e', 'dot_segment'],
    ['/a%2Fb', 'encoded_slash'],
    ['/a%2f..%2fb', 'encoded_slash'],
    ['/a\\b', 'backslash'],
    ['/a%5C..%5Cb', 'backslash'],
    ['//evil.example.com/x', 'double_slash'],
    ['/https://evil.example.com/x', 'absolute_url'],
    ['/javascript:alert(1)', 'absolute_url'],
    ['/a%00b', 'nul_character'],
    ['/a\u0000b', 'nul_character'],
    ['/a b', 'control_character'],
    ['/a%E0%A4%A', 'malformed_encoding'],
    ['/', 'empty_path'],
    ['', 'empty_path'],
  ])('refuses %s as %s', (path, problem) => {
    expect(proxyPathProblem(path)).toBe(problem);
  });
});

describe('proxyRequestHeaders', () => {
  it("forwards the allow-listed headers and never the caller's credentials or hop-by-hop headers", () => {
    const forwarded = proxyRequestHeaders(
      {
        authorization: 'Bearer cb_live_key',
        cookie: 'session=1',
        'x-api-key': 'k',
        connection: 'keep-alive, x-foo',
        'transfer-encoding': 'chunked',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        upgrade: 'websocket',
        'proxy-authorization': 'Basic x',
        host: 'broker.example.com',
        'x-forwarded-for': '10.0.0.1',
        'content-type': 'application/json',
        accept: 'application/json',
        'if-none-match': '"v1"',
        'content-length': '12',
        'user-agent': 'my-app/1.0',
      },
      'credential-broker',
    );
    expect(forwarded).toEqual({
      'content-type': 'application/json',
      accept: 'application/json',
      'if-none-match': '"v1"',
      'content-length': '12',
      'user-agent': 'credential-broker my-app/1.0',
    });
  });

  it('names the broker as the user agent when the caller sent none', () => {
    expect(proxyRequestHeaders({}, 'credential-broker')).toEqual({ 'user-agent': 'credential-broker' });
  });
});

describe('proxyResponseHeaders', () => {
  const base = 'https://api.example.com/v2';

  it('passes the allow-listed headers and never Set-Cookie', () => {
    const passed = proxyResponseHeaders(
      { 'content-type': 'text/plain', etag: '"1"', 'retry-after': '3', 'x-ratelimit-remaining': '0', link: '<https://api.example.com/v2?page=2>; rel="next"', 'set-cookie': ['a=1'], server: 'nginx', 'www-authenticate': 'Bearer' },
      base,
    );
    expect(passed).toEqual({ 'content-type': 'text/plain', etag: '"1"', 'retry-after': '3', 'x-ratelimit-remaining': '0', link: '<https://api.example.com/v2?page=2>; rel="next"' });
  });

  it('passes Location only when it stays on the base URL origin', () => {
    expect(proxyResponseHeaders({ location: '/v2/items/1' }, base)).toEqual({ location: '/v2/items/1' });
    expect(proxyResponseHeaders({ location: 'https://api.example.com/v2/items/1' }, base)).toEqual({ location: 'https://api.example.com/v2/items/1' });
    expect(proxyResponseHeaders({ location: 'https://evil.example.com/' }, base)).toEqual({});
    expect(proxyResponseHeaders({ location: '//evil.example.com/' }, base)).toEqual({});
  });
});
