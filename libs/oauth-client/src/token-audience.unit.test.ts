import { audienceProblem, audiences, jwtAudiences } from './token-audience';
import { parseIntrospectionResponse } from './request-token';

const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const jwt = (claims: unknown, header: unknown = { alg: 'RS256', typ: 'at+jwt' }): string => `${segment(header)}.${segment(claims)}.c2lnbmF0dXJl`;

describe('token audience (RFC 8707 resource, RFC 9068 aud)', () => {
  it('reads aud from a JWT access token, as a string or a list', () => {
    expect(jwtAudiences(jwt({ aud: 'https://mcp.example.com/api' }))).toEqual(['https://mcp.example.com/api']);
    expect(jwtAudiences(jwt({ aud: ['https://a.example', 'https://b.example'] }))).toEqual(['https://a.example', 'https://b.example']);
  });

  it('says nothing for opaque tokens, tokens without aud, and segments that are not a JWT', () => {
    expect(jwtAudiences('opaque-token-value')).toBeUndefined();
    expect(jwtAudiences('a.b.c')).toBeUndefined();
    expect(jwtAudiences(jwt({ sub: 'user' }))).toBeUndefined();
    expect(jwtAudiences(jwt({ aud: 'x' }, { typ: 'JWT' }))).toBeUndefined();
    expect(audiences([])).toBeUndefined();
    expect(audiences([1])).toBeUndefined();
  });

  it('accepts a token for the resource, up to a trailing slash, and names the audiences of one that is not', () => {
    expect(audienceProblem('https://mcp.example.com/api', ['https://other.example', 'https://mcp.example.com/api/'])).toBeUndefined();
    expect(audienceProblem('https://mcp.example.com/api', ['https://other.example'])).toBe('the token was issued for https://other.example, not for the resource https://mcp.example.com/api');
  });

  it('keeps the audience an introspection endpoint states', () => {
    const answer = parseIntrospectionResponse(200, 'application/json', JSON.stringify({ active: true, exp: 2_000_000_000, aud: 'https://mcp.example.com/api' }));
    expect(answer).toEqual({ ok: true, active: true, exp: 2_000_000_000, aud: ['https://mcp.example.com/api'] });
  });
});
