import { renderCallbackResponse } from './callback-page';

describe('renderCallbackResponse', () => {
  const base = { sessionId: '6c1f8a52-3f0e-4a55-9a53-2f6e2f4e8d11', returnUrl: null, targetOrigin: 'https://app.example.com' };

  it('posts the result to the configured origin only, with a nonce CSP and no third-party resource', () => {
    const page = renderCallbackResponse({ ...base, status: 'authorized', message: 'ok' });
    expect(page.status).toBe(200);
    expect(page.headers).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'nonce-[^']+'/);
    expect(page.body).toContain('postMessage(message, "https://app.example.com")');
    expect(page.body).not.toContain("'*'");
    expect(page.body).not.toMatch(/\s(src|href)=/);
  });

  it('escapes everything it shows and keeps a failure on screen', () => {
    const page = renderCallbackResponse({ ...base, status: 'failed', errorCode: '</script><b>', message: '<img src=x>' });
    expect(page.status).toBe(400);
    expect(page.body).not.toContain('<img src=x>');
    expect(page.body).not.toContain('</script><b>');
    expect(page.body).not.toContain('window.close()');
  });

  it('redirects to the return URL with the outcome, not the code', () => {
    const page = renderCallbackResponse({ ...base, status: 'failed', errorCode: 'access_denied', message: 'no', returnUrl: 'https://app.example.com/done?x=1' });
    expect(page.status).toBe(303);
    const location = new URL(page.headers.location as string);
    expect(location.origin).toBe('https://app.example.com');
    expect(Object.fromEntries(location.searchParams)).toEqual({ x: '1', connect_session_id: base.sessionId, status: 'failed', error: 'access_denied' });
  });
});
