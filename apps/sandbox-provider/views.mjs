/**
 * Server-rendered HTML for the login, consent and error pages.
 * Plain forms (no JavaScript, no external resources) so they work in a browser, with a screen
 * reader, and over plain HTTP from a test (see test/support/sandbox-provider.ts).
 */

export function escapeHtml(value) {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; }
  body { margin: 0; padding: 2rem 1rem; background: Canvas; color: CanvasText; }
  main { max-width: 26rem; margin: 0 auto; padding: 1.5rem; border: 1px solid GrayText; border-radius: 8px; }
  h1 { font-size: 1.4rem; margin-top: 0; }
  .badge { font-size: .75rem; text-transform: uppercase; letter-spacing: .08em; color: GrayText; }
  label { display: block; margin: 1rem 0 .25rem; font-weight: 600; }
  input { width: 100%; box-sizing: border-box; padding: .5rem; font-size: 1rem; }
  .actions { display: flex; gap: .75rem; margin-top: 1.5rem; }
  button { flex: 1; padding: .6rem; font-size: 1rem; border-radius: 6px; border: 1px solid GrayText; cursor: pointer; }
  button.primary { background: #1f5fbf; border-color: #1f5fbf; color: #fff; }
  button:focus-visible, input:focus-visible { outline: 3px solid #f5a623; outline-offset: 2px; }
  .error { padding: .6rem; border: 1px solid #b00020; border-radius: 6px; color: #b00020; }
  .hint { font-size: .85rem; color: GrayText; }
  ul { padding-left: 1.25rem; }
  code { font-size: .9em; }
`;

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Sandbox Provider</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="badge">Sandbox OAuth provider — development only</p>
${body}
</main>
</body>
</html>`;
}

export function loginPage({ action, clientId, username = '', error }) {
  return page('Sign in', `
<h1>Sign in</h1>
<p><strong>${escapeHtml(clientId)}</strong> wants to access your sandbox account.</p>
${error ? `<p class="error" role="alert" id="login-error">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}/login" data-sandbox-form="login"${error ? ' aria-describedby="login-error"' : ''}>
  <label for="username">Username</label>
  <input id="username" name="username" type="text" autocomplete="username" required autofocus value="${escapeHtml(username)}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required aria-describedby="password-hint">
  <p class="hint" id="password-hint">Any username works with the password <code>password</code>.</p>
  <div class="actions">
    <button type="submit" class="primary">Sign in</button>
  </div>
</form>`);
}

const SCOPE_DESCRIPTIONS = {
  openid: 'Confirm who you are',
  profile: 'Read your name and username',
  email: 'Read your email address',
  offline_access: 'Keep access when you are not using the application (refresh tokens)',
};

export function consentPage({
  action, clientId, accountId, scopes, resourceScopes,
}) {
  const items = scopes.map((scope) => `<li><code>${escapeHtml(scope)}</code> — ${escapeHtml(SCOPE_DESCRIPTIONS[scope] ?? 'Requested permission')}</li>`);
  for (const [resource, list] of Object.entries(resourceScopes)) {
    for (const scope of list) {
      items.push(`<li><code>${escapeHtml(scope)}</code> on <code>${escapeHtml(resource)}</code></li>`);
    }
  }
  return page('Authorize access', `
<h1 id="consent-heading">Authorize ${escapeHtml(clientId)}</h1>
<p>Signed in as <strong>${escapeHtml(accountId)}</strong>.</p>
${items.length ? `<p id="consent-scopes-label">The application asks to:</p>
<ul aria-labelledby="consent-scopes-label">${items.join('')}</ul>` : '<p>The application asks to confirm access it was already given.</p>'}
<form method="post" action="${escapeHtml(action)}/confirm" data-sandbox-form="consent" aria-labelledby="consent-heading">
  <div class="actions">
    <button type="submit" name="decision" value="deny">Deny</button>
    <button type="submit" name="decision" value="allow" class="primary" autofocus>Allow</button>
  </div>
</form>`);
}

export function errorPage({ title = 'Something went wrong', error, description }) {
  return page(title, `
<h1>${escapeHtml(title)}</h1>
<p class="error" role="alert"><code>${escapeHtml(error)}</code>${description ? ` — ${escapeHtml(description)}` : ''}</p>`);
}
