import { webhookUrlProblem } from './webhook-url';

describe('a webhook endpoint URL', () => {
  it('is https, or http on loopback in development only', () => {
    expect(webhookUrlProblem('https://hooks.example.com/in', false)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/in', true)).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/in', false)).toBe('must use https');
    expect(webhookUrlProblem('http://hooks.example.com/in', true)).toMatch(/only for localhost/);
    expect(webhookUrlProblem('ftp://hooks.example.com/in', true)).toBe('must use https');
  });

  it('carries no credentials nor fragment, and is absolute', () => {
    expect(webhookUrlProblem('https://user:pw@hooks.example.com/', false)).toBe('must not contain credentials');
    expect(webhookUrlProblem('https://hooks.example.com/#x', false)).toBe('must not contain a fragment');
    expect(webhookUrlProblem('/relative', false)).toBe('must be an absolute URL');
  });
});
