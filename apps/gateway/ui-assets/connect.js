// The Connect dialog. Opened as connect.html#session=<sessionToken>: the fragment never reaches a
// server or a log. The provider's sign-in address always comes from the gateway, never from the link:
// a link that could name it would make this trusted page an open redirect into a look-alike login. OAuth connectors: a Connect button that opens the
// provider's login and consent in a popup and waits for the callback page's postMessage. Other
// modes: a form built from the connector's fields.
import { ApiError, apiRequest } from './api.js';
import { clear, h, uid } from './dom.js';

const CALLBACK_MESSAGE = 'credential-broker:connect';
const MODE_LABELS = { OAUTH2: 'OAuth 2.0', BASIC: 'Basic Auth', API_KEY: 'API Key', BEARER: 'Bearer Token', CUSTOM: 'Custom Input' };

/** Plain words for the codes a connect attempt can end with; the server's own reason wins when it sends one. */
const ERROR_WORDS = {
  access_denied: 'You declined the access request at the provider, so nothing was connected. You can try again.',
  invalid_state: 'This sign-in does not belong to a connection attempt in progress. Please start again.',
  state_expired: 'The sign-in took too long and expired. Please start again.',
  session_expired: 'This connect link has expired. Ask for a new one.',
  session_not_pending: 'This connection attempt was already answered.',
  issuer_mismatch: 'The answer came from an unexpected sign-in server, so it was refused for your safety.',
  missing_code: 'The provider did not send an authorization code. Please try again.',
  invalid_client: "The provider did not accept this application's credentials. Please contact the administrator.",
  invalid_grant: 'The provider refused the authorization (it may have expired or been used already). Please try again.',
  invalid_scope: 'The provider refused the requested permissions. Please contact the administrator.',
  server_error: 'The provider had a problem. Please try again in a moment.',
  temporarily_unavailable: 'The provider is temporarily unavailable. Please try again in a moment.',
  invalid_session_token: 'This connect link is not valid or has expired. Ask for a new one.',
  connector_not_active: 'This connector is not active, so it cannot be connected right now.',
  attributes_required: 'A few details are needed before signing in. Reload this page to enter them.',
  network_error: 'The server could not be reached. Check your connection and try again.',
};

const main = document.getElementById('main');
const link = readLink();
let view;

function readLink() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const query = new URLSearchParams(location.search);
  const token = fragment.get('session') ?? query.get('session');
  if (query.toString() !== '' || [...fragment.keys()].some((key) => key !== 'session')) {
    // Keep only the token, in the fragment: out of the query (and so out of history and logs), and
    // without anything else a link may have carried.
    history.replaceState(null, '', `${location.pathname}${token ? `#${new URLSearchParams({ session: token })}` : ''}`);
  }
  return { token };
}

function words(code, reason) {
  return reason || ERROR_WORDS[code] || `The connection could not be completed (${code}). Please try again.`;
}

function api(path, options = {}) {
  return apiRequest(path, { ...options, credential: link.token });
}

// ---------------------------------------------------------------------------------------------
// layout

const status = h('div', { id: 'status', class: 'status', role: 'status', 'aria-live': 'polite' });
const alertRegion = h('div', { id: 'alert', role: 'alert' });
const body = h('div', { id: 'dialog-body' });

function frame(title, subtitle) {
  clear(
    main,
    h('header', { class: 'dialog-head' }, h('h1', { id: 'dialog-title' }, title), subtitle ? h('p', { class: 'muted' }, subtitle) : null),
    alertRegion,
    body,
    status,
  );
}

function setStatus(text, kind = 'info') {
  status.className = `status status-${kind}`;
  clear(status, kind === 'busy' ? h('span', { class: 'spinner', 'aria-hidden': 'true' }) : null, text);
}

function showError(message) {
  clear(alertRegion, h('div', { class: 'banner banner-error' }, message));
}

function showSuccess() {
  const name = view?.connector?.name ?? 'The account';
  frame(`${name} connected`);
  clear(
    body,
    h(
      'div',
      { class: 'result result-success', id: 'connect-result', 'data-result': 'success' },
      h('div', { class: 'result-icon', 'aria-hidden': 'true' }, '✓'),
      h('p', { class: 'result-title' }, 'Connected'),
      h('p', {}, `${name} is connected${view?.endUserId ? ` for ${view.endUserId}` : ''}. You can close this window.`),
    ),
  );
  setStatus('The connection is complete.', 'success');
  main.querySelector('h1')?.focus();
}

function showFailure(code, reason, { retry } = {}) {
  const name = view?.connector?.name;
  frame(name ? `Connect ${name}` : 'Connect');
  clear(
    body,
    h(
      'div',
      { class: 'result result-failure', id: 'connect-result', 'data-result': 'failure', 'data-error-code': code },
      h('div', { class: 'result-icon', 'aria-hidden': 'true' }, '!'),
      h('p', { class: 'result-title' }, 'Not connected'),
      h('p', { id: 'failure-reason' }, words(code, reason)),
      h('p', { class: 'muted small' }, `Error code: ${code}`),
      retry ? h('button', { type: 'button', class: 'button button-primary', onclick: retry }, 'Try again') : null,
    ),
  );
  setStatus('The connection was not completed.', 'error');
}

// ---------------------------------------------------------------------------------------------
// session status

/** Follows the session until it completes or fails, backing off from 0.5 s to 3 s, for at most two minutes. */
async function followSession() {
  const deadline = Date.now() + 120_000;
  let delay = 500;
  while (Date.now() < deadline) {
    let current;
    try {
      current = await api('/v1/connect/session');
    } catch (error) {
      // 429: the gateway's limit for this address; asking again after the back-off is the answer
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && error.status !== 429) return { status: 'failed', error: { code: error.code, reason: words(error.code) } };
      current = undefined;
    }
    if (current && current.status !== 'pending') return current;
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 1.6, 3000);
  }
  return { status: 'failed', error: { code: 'timeout', reason: 'The connection is taking longer than expected. Check back later, or try again.' } };
}

async function finish() {
  setStatus('Finishing the connection…', 'busy');
  const outcome = await followSession();
  view = { ...view, ...outcome, connector: view.connector };
  if (outcome.status === 'completed') showSuccess();
  else showFailure(outcome.error?.code ?? outcome.status, outcome.error?.reason);
}

// ---------------------------------------------------------------------------------------------
// OAuth: the popup

function renderOAuth() {
  const name = view.connector?.name ?? 'the provider';
  frame(`Connect ${name}`, `You will sign in at ${name} in a new window and approve access.`);
  const button = h('button', { type: 'button', class: 'button button-primary button-large', id: 'connect-button' }, `Connect ${name}`);
  clear(body, h('div', { class: 'oauth-start' }, h('p', {}, 'A window opens at the provider. Sign in there and approve the access request; this window updates when you are done.'), button));
  button.addEventListener('click', () => startPopup(button));
  button.focus();
}

/** A fresh sign-in address for this session (its state is single use), from the gateway. */
async function signInUrl() {
  const { authorizationUrl } = await api('/v1/connect/authorize', { method: 'POST' });
  return authorizationUrl;
}

function startPopup(button) {
  clear(alertRegion);
  const width = 520;
  const height = 680;
  const left = Math.max(0, Math.round(window.screenX + (window.outerWidth - width) / 2));
  const top = Math.max(0, Math.round(window.screenY + (window.outerHeight - height) / 2));
  // Opened at once, inside the click, so that pop-up blockers allow it; the address follows.
  const popup = window.open('about:blank', 'credential-broker-connect', `popup,width=${width},height=${height},left=${left},top=${top}`);
  if (!popup) {
    showError('Your browser blocked the sign-in window. Allow pop-ups for this site, then press Connect again.');
    return;
  }
  button.disabled = true;
  signInUrl().then(
    (url) => {
      popup.location.href = url;
    },
    (error) => {
      popup.close();
      button.disabled = false;
      showError(error instanceof ApiError ? error.message : 'The sign-in address could not be prepared. Please try again.');
    },
  );
  setStatus('Waiting for you to sign in and approve access in the other window…', 'busy');
  let settled = false;

  const done = () => {
    settled = true;
    window.removeEventListener('message', onMessage);
    clearInterval(watch);
    if (!popup.closed) popup.close();
  };
  const onMessage = (event) => {
    // Only the callback page, served by this gateway, may answer; and only from the window we opened.
    if (settled || event.origin !== location.origin || event.source !== popup) return;
    const data = event.data;
    if (!data || typeof data !== 'object' || data.type !== CALLBACK_MESSAGE) return;
    if (view.sessionId && data.sessionId && data.sessionId !== view.sessionId) return;
    done();
    if (data.status === 'authorized') void finish();
    else void failedAtProvider(typeof data.error === 'string' ? data.error : 'authorization_error');
  };
  const watch = setInterval(() => {
    if (settled || !popup.closed) return;
    clearInterval(watch);
    // The callback page posts its answer and then closes itself: give the message a moment to arrive.
    setTimeout(() => {
      if (settled) return;
      done();
      void popupClosed(button);
    }, 1000);
  }, 500);
  window.addEventListener('message', onMessage);
}

async function failedAtProvider(code) {
  let reason;
  try {
    const current = await api('/v1/connect/session');
    if (current.status === 'failed' && current.error?.code === code) reason = current.error.reason;
  } catch {
    // the code alone is enough to explain
  }
  showFailure(code, ERROR_WORDS[code] ?? reason);
}

/** The window closed without an answer: maybe the user gave up, maybe the answer raced the close. */
async function popupClosed(button) {
  try {
    const current = await api('/v1/connect/session');
    if (current.status === 'completed') return showSuccess();
    if (current.status === 'failed' || current.status === 'expired') return showFailure(current.error?.code ?? current.status, current.error?.reason);
  } catch {
    // fall through to a retry
  }
  button.disabled = false;
  setStatus('The sign-in window was closed before finishing. Press Connect to try again.', 'error');
  button.focus();
}

// ---------------------------------------------------------------------------------------------
// required attributes the app did not pass (a login host, a subdomain), asked before sign-in or the credential form

/** The connector's pattern as the whole-value check the broker makes; null when the browser cannot read it. */
function wholeValuePattern(pattern) {
  if (!pattern) return null;
  try {
    return new RegExp(`^(?:${pattern})$`, 'u');
  } catch {
    return null; // the broker checks it anyway
  }
}

/**
 * Puts each error beside its field (found by its path, or the field whose path it continues), the
 * others in the alert, and focuses the first field in error. `subjectOf(slot)` names the field.
 */
function showFieldErrors(slots, errors, subjectOf) {
  const unplaced = [];
  let first;
  for (const { path, message } of errors) {
    const slot = slots.get(path) ?? [...slots.entries()].find(([key]) => path.startsWith(`${key}.`))?.[1];
    if (!slot) {
      unplaced.push(message);
      continue;
    }
    slot.error.textContent = sentence(message, subjectOf(slot));
    slot.error.hidden = false;
    slot.input.setAttribute('aria-invalid', 'true');
    first ??= slot.input;
  }
  if (unplaced.length) showError(unplaced.join(' '));
  first?.focus();
}

function renderAttributes() {
  const name = view.connector?.name ?? 'the provider';
  frame(`Connect ${name}`, view.mode === 'OAUTH2' ? `${name} needs a few details before you sign in.` : `${name} needs a few details first.`);
  const wanted = new Set(view.missingAttributes);
  const attributes = (view.connector?.requiredAttributes ?? []).filter((attribute) => wanted.has(attribute.key));
  const slots = new Map();
  const formElement = h('form', { id: 'attributes-form', novalidate: true, autocomplete: 'off' });
  for (const attribute of attributes) {
    const id = `attribute-${attribute.key}`;
    const errorId = uid('err');
    const hintId = attribute.description ? uid('hint') : undefined;
    const input = h('input', {
      id,
      name: attribute.key,
      type: 'text',
      required: true,
      'aria-required': 'true',
      spellcheck: 'false',
      autocomplete: 'off',
      'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
    });
    const error = h('p', { id: errorId, class: 'field-error', hidden: true });
    const pattern = wholeValuePattern(attribute.pattern);
    const check = () => {
      const value = input.value.trim();
      return value === '' ? 'is required' : pattern && !pattern.test(value) ? 'does not have the expected format' : undefined;
    };
    // Checked as they type, once there is something to check: a half-typed value is not yet shown as wrong on its first keystrokes.
    input.addEventListener('input', () => {
      const problem = input.value.trim() === '' ? undefined : check();
      error.hidden = !problem;
      error.textContent = problem ? sentence(problem, { key: attribute.key, label: attribute.label }) : '';
      if (problem) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    });
    slots.set(`attributes.${attribute.key}`, { attribute, input, error, check });
    formElement.append(
      h(
        'div',
        { class: 'field' },
        h('label', { for: id }, attribute.label || attribute.key, h('span', { class: 'required' }, ' (required)')),
        input,
        hintId ? h('p', { id: hintId, class: 'hint' }, attribute.description) : null,
        error,
      ),
    );
  }
  const submit = h('button', { type: 'submit', class: 'button button-primary button-large', id: 'submit-attributes' }, 'Continue');
  formElement.append(h('div', { class: 'actions' }, submit));
  clear(body, formElement);

  const showErrors = (errors) => showFieldErrors(slots, errors, (slot) => ({ key: slot.attribute.key, label: slot.attribute.label }));

  formElement.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(alertRegion);
    const problems = [];
    const given = {};
    for (const [path, { attribute, input, check }] of slots) {
      const problem = check();
      if (problem) problems.push({ path, message: problem });
      else given[attribute.key] = input.value.trim();
    }
    if (problems.length) {
      showErrors(problems);
      setStatus(`${problems.length} field${problems.length === 1 ? ' needs' : 's need'} attention.`, 'error');
      return;
    }
    submit.disabled = true;
    setStatus('Checking your details…', 'busy');
    try {
      await api('/v1/connect/attributes', { method: 'POST', body: { attributes: given } });
      view = { ...view, missingAttributes: [] };
      if (view.mode === 'OAUTH2') {
        renderOAuth();
        setStatus('Details saved. Press Connect to sign in.');
      } else {
        renderForm();
        setStatus('Details saved.');
      }
    } catch (error) {
      submit.disabled = false;
      if (error instanceof ApiError && error.fieldErrors.length) {
        showErrors(error.fieldErrors);
        setStatus('Some details were not accepted. Correct them and try again.', 'error');
      } else {
        showError(words(error.code, error instanceof ApiError && !ERROR_WORDS[error.code] ? error.message : undefined));
        setStatus('The details could not be sent.', 'error');
      }
    }
  });
  formElement.querySelector('input')?.focus();
}

// ---------------------------------------------------------------------------------------------
// typed credentials: the form

/** The inputs for a mode: key (as submitted), label, type, required, description, default, disabled. */
function formFields() {
  const form = view.connector?.form ?? {};
  switch (view.mode) {
    case 'BASIC':
      return [
        { key: 'username', label: form.usernameLabel || 'Username', type: 'text', required: true, autocomplete: 'username' },
        { key: 'password', label: form.passwordLabel || 'Password', type: 'password', required: true, autocomplete: 'current-password' },
      ];
    case 'API_KEY':
      return [{ key: 'apiKey', label: form.label || 'API key', type: 'password', required: true }];
    case 'BEARER':
      return [{ key: 'token', label: form.label || 'Token', type: 'password', required: true }];
    case 'CUSTOM':
      return (form.fields ?? []).filter((field) => !field.hidden).map((field) => ({ ...field, path: `values.${field.key}` }));
    default:
      return [];
  }
}

function renderForm() {
  const name = view.connector?.name ?? 'this service';
  frame(`Connect ${name}`, 'Enter the details below. Secrets are sent over an encrypted connection and stored encrypted.');
  const fields = formFields();
  const slots = new Map();
  const formElement = h('form', { id: 'credentials-form', novalidate: true, autocomplete: 'off' });
  for (const field of fields) {
    const id = `field-${field.key}`;
    const errorId = uid('err');
    const hintId = field.description ? uid('hint') : undefined;
    const input = h('input', {
      id,
      name: field.key,
      type: field.type === 'password' ? 'password' : field.type === 'number' ? 'number' : 'text',
      inputmode: field.type === 'number' ? 'decimal' : undefined,
      required: field.required && !field.disabled ? true : undefined,
      'aria-required': field.required && !field.disabled ? 'true' : undefined,
      disabled: field.disabled || undefined,
      value: field.default !== undefined && field.default !== null ? String(field.default) : '',
      autocomplete: field.autocomplete ?? (field.type === 'password' ? 'new-password' : 'off'),
      spellcheck: 'false',
      'aria-describedby': [hintId, errorId].filter(Boolean).join(' '),
    });
    const error = h('p', { id: errorId, class: 'field-error', hidden: true });
    input.addEventListener('input', () => {
      error.hidden = true;
      input.removeAttribute('aria-invalid');
    });
    slots.set(field.path ?? field.key, { field, input, error });
    formElement.append(
      h(
        'div',
        { class: 'field' },
        h('label', { for: id }, field.label || field.key, field.required && !field.disabled ? h('span', { class: 'required' }, ' (required)') : null),
        input,
        hintId ? h('p', { id: hintId, class: 'hint' }, field.description) : null,
        error,
      ),
    );
  }
  const submit = h('button', { type: 'submit', class: 'button button-primary button-large', id: 'submit-credentials' }, 'Connect');
  formElement.append(h('div', { class: 'actions' }, submit));
  clear(body, formElement);

  const showErrors = (errors) => showFieldErrors(slots, errors, (slot) => slot.field);

  formElement.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(alertRegion);
    const problems = [];
    const submitted = {};
    for (const [path, { field, input }] of slots) {
      input.removeAttribute('aria-invalid');
      if (field.disabled) continue;
      const raw = field.type === 'password' ? input.value : input.value.trim();
      if (raw === '') {
        if (field.required) problems.push({ path, message: 'is required' });
        continue;
      }
      if (field.type === 'number' && !Number.isFinite(Number(raw))) {
        problems.push({ path, message: 'must be a number' });
        continue;
      }
      submitted[field.key] = field.type === 'number' ? Number(raw) : raw;
    }
    for (const { error } of slots.values()) error.hidden = true;
    if (problems.length) {
      showErrors(problems);
      setStatus(`${problems.length} field${problems.length === 1 ? ' needs' : 's need'} attention.`, 'error');
      return;
    }
    submit.disabled = true;
    setStatus('Checking your details…', 'busy');
    try {
      await api('/v1/connect/credentials', { method: 'POST', body: view.mode === 'CUSTOM' ? { values: submitted } : submitted });
      await finish();
    } catch (error) {
      submit.disabled = false;
      if (error instanceof ApiError && error.fieldErrors.length) {
        showErrors(error.fieldErrors);
        setStatus('Some details were not accepted. Correct them and try again.', 'error');
      } else {
        showError(words(error.code, error instanceof ApiError && !ERROR_WORDS[error.code] ? error.message : undefined));
        setStatus('The details could not be sent.', 'error');
      }
    }
  });
  formElement.querySelector('input:not([disabled])')?.focus();
}

/** The API says `apiKey is required`; the person reads `API key is required`. */
function sentence(message, field) {
  const label = field.label || field.key;
  const text = message.startsWith(`${field.key} `) ? `${label} ${message.slice(field.key.length + 1)}` : message.startsWith(label) ? message : `${label} ${message}`;
  return text.endsWith('.') ? text : `${text}.`;
}

// ---------------------------------------------------------------------------------------------
// start

async function start() {
  frame('Connect');
  if (!link.token) {
    showFailure('invalid_session_token', 'This connect link is incomplete: it carries no session. Ask for a new link.');
    return;
  }
  setStatus('Loading…', 'busy');
  try {
    view = await api('/v1/connect/session');
  } catch (error) {
    showFailure(error.code ?? 'network_error', ERROR_WORDS[error.code] ?? error.message);
    return;
  }
  document.title = `Connect ${view.connector?.name ?? ''} · Credential Broker`.replace('  ', ' ');
  if (view.status === 'completed') return showSuccess();
  if (view.status === 'failed' || view.status === 'expired') return showFailure(view.error?.code ?? view.status, view.error?.reason);
  if (view.missingAttributes?.length) renderAttributes();
  else if (view.mode === 'OAUTH2') renderOAuth();
  else renderForm();
  setStatus(`${MODE_LABELS[view.mode] ?? view.mode} · link valid until ${new Date(view.expiresAt).toLocaleTimeString()}`);
}

void start();
