import { randomBytes } from 'node:crypto';

export interface CallbackOutcome {
  sessionId: string | null;
  status: 'authorized' | 'failed';
  errorCode?: string;
  /** Shown to the person; never contains anything from the request. */
  message: string;
  returnUrl: string | null;
  /** The origin the result is posted to (never '*'). */
  targetOrigin: string;
}

export interface CallbackResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const COMMON_HEADERS = {
  'cache-control': 'no-store',
  pragma: 'no-cache',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
};

/**
 * The answer to the provider's redirect. With a return URL: a 303 there (the code leaves the address
 * bar). Otherwise a page, with no third-party resource, that posts the result to its opener, closes,
 * and removes the query from the address bar when it cannot close.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9700#section-4.2.4
 */
export function renderCallbackResponse(outcome: CallbackOutcome): CallbackResponse {
  if (outcome.returnUrl) {
    const target = new URL(outcome.returnUrl);
    if (outcome.sessionId) target.searchParams.set('connect_session_id', outcome.sessionId);
    target.searchParams.set('status', outcome.status);
    if (outcome.errorCode) target.searchParams.set('error', outcome.errorCode);
    return { status: 303, headers: { ...COMMON_HEADERS, location: target.toString(), 'content-security-policy': "default-src 'none'; frame-ancestors 'none'" }, body: '' };
  }
  const nonce = randomBytes(16).toString('base64');
  const message = { type: 'credential-broker:connect', sessionId: outcome.sessionId, status: outcome.status, error: outcome.errorCode ?? null };
  const title = outcome.status === 'authorized' ? 'Connected' : 'Connection failed';
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style nonce="${nonce}">body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head><body>
<h1>${escapeHtml(title)}</h1>
<p id="message">${escapeHtml(outcome.message)}</p>
${outcome.errorCode ? `<p><small>Error code: ${escapeHtml(outcome.errorCode)}</small></p>` : ''}
<p><small>You can close this window.</small></p>
<script nonce="${nonce}">
(function () {
  try { history.replaceState(null, '', location.pathname); } catch (e) {}
  var message = ${jsonForScript(message)};
  if (window.opener && !window.opener.closed) {
    try { window.opener.postMessage(message, ${jsonForScript(outcome.targetOrigin)}); } catch (e) {}
    ${outcome.status === 'authorized' ? 'window.close();' : ''}
  }
})();
</script>
</body></html>`;
  return {
    status: outcome.status === 'authorized' ? 200 : 400,
    headers: {
      ...COMMON_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    },
    body,
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** JSON that cannot end the script element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
