// The sign-in screen: a workspace API key with the admin scope, tried on the API before it is kept.
import { ApiError, apiRequest } from '../api.js';
import { clear, h, uid } from '../dom.js';
import { renderAccount } from './components/account-menu.js';
import { main, setTitle } from './page.js';
import { signIn } from './session.js';

/** `message` says why the user is here (e.g. signed out); `onSignedIn` runs once a key is accepted. */
export function renderSignIn(message, onSignedIn) {
  setTitle('Sign in');
  renderAccount();
  const id = uid('key');
  const errorId = uid('err');
  const input = h('input', { id, name: 'apiKey', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true, placeholder: 'cbk_…', 'aria-describedby': `${id}-hint ${errorId}` });
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card signin', novalidate: true },
    h('h1', {}, 'Connector settings'),
    h('p', { class: 'lead' }, 'Sign in with a workspace API key that has the admin scope.'),
    message ? h('p', { class: 'banner banner-info', role: 'status' }, message) : null,
    h('div', { class: 'field' }, h('label', { for: id }, 'Workspace API key'), input, h('p', { id: `${id}-hint`, class: 'hint' }, 'Kept in this browser tab only (sessionStorage) and sent only to this gateway.'), error),
    h('div', { class: 'actions' }, submit),
  );
  const showError = (text) => {
    error.textContent = text;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const candidate = input.value.trim();
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    if (!candidate) {
      showError('Enter an API key.');
      return;
    }
    submit.disabled = true;
    try {
      await apiRequest('/v1/connectors?limit=1', { credential: candidate });
      signIn(candidate);
      onSignedIn();
    } catch (failure) {
      showError(refusalReason(failure));
    } finally {
      submit.disabled = false;
    }
  });
  clear(main, form);
  input.focus();
}

function refusalReason(failure) {
  if (failure instanceof ApiError && failure.status === 401) return 'This API key was not accepted. Check that it is complete and has not been revoked.';
  if (failure instanceof ApiError && failure.status === 403) return 'This API key lacks the admin scope needed to manage connectors.';
  return failure.message;
}
