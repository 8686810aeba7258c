// The connector's connections, and a way to try the connect dialog for an end user.
import { ApiError } from '../../api.js';
import { clear, h, uid } from '../../dom.js';
import { banner } from '../components/banner.js';
import { timestamp } from '../components/timestamp.js';
import { api } from '../session.js';

export async function renderConnections(editor) {
  const c = editor.connector;
  const body = h('div', { role: 'status', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const refresh = h('button', { type: 'button', class: 'button button-quiet small', id: 'refresh-connections', onclick: () => void renderConnections(editor) }, 'Refresh');
  clear(
    editor.connections,
    h('div', { class: 'section-head' }, h('h2', { id: 'connections-heading' }, 'Connections'), refresh),
    body,
    c.status === 'active' ? trySection(c.id) : h('p', { class: 'hint' }, 'Enable activation to let end users connect.'),
  );
  try {
    const page = await api(`/v1/connections?connectorId=${encodeURIComponent(c.id)}&limit=100`);
    if (page.items.length === 0) {
      clear(body, h('p', { class: 'muted' }, 'No connections yet.'));
      return;
    }
    clear(body, connectionTable(page.items), h('p', { class: 'muted small' }, `${page.total} connection${page.total === 1 ? '' : 's'}`));
  } catch (error) {
    clear(body, error instanceof ApiError && error.status === 403 ? h('p', { class: 'muted' }, 'This API key cannot list connections (needs connect or credentials:read).') : banner(error));
  }
}

function connectionTable(items) {
  return h(
    'table',
    { class: 'table', id: 'connection-table' },
    h('thead', {}, h('tr', {}, ['End user', 'Status', 'Expires', 'Connected'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      items.map((item) =>
        h(
          'tr',
          { 'data-connection-id': item.connectionId, 'data-end-user-id': item.endUserId },
          h('td', {}, item.endUserId),
          h('td', {}, h('span', { class: `badge badge-${item.status}` }, item.status.replace('_', ' '))),
          h('td', {}, timestamp(item.expiresAt)),
          h('td', {}, timestamp(item.createdAt)),
        ),
      ),
    ),
  );
}

/** Opens a connect session for an end user and links to the connect dialog. */
function trySection(connectorId) {
  const id = uid('user');
  const input = h('input', { id, type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'user-123' });
  const result = h('div', { role: 'status', 'aria-live': 'polite', id: 'connect-link' });
  const formElement = h(
    'form',
    { class: 'inline-form', novalidate: true },
    h('div', { class: 'field' }, h('label', { for: id }, 'End user ID'), input),
    h('button', { type: 'submit', class: 'button' }, 'Start a connect session'),
  );
  formElement.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear(result);
    if (!input.value.trim()) {
      clear(result, h('p', { class: 'field-error' }, 'Enter the ID your application uses for the end user.'));
      input.focus();
      return;
    }
    try {
      const session = await api('/v1/connect-sessions', { method: 'POST', body: { connectorId, endUserId: input.value.trim() } });
      const link = connectDialogLink(session);
      clear(result, h('p', {}, 'Session opened. ', h('a', { href: link, target: '_blank', rel: 'noopener noreferrer', id: 'open-connect-dialog' }, 'Open the Connect dialog'), h('span', { class: 'muted small' }, ` (expires ${new Date(session.expiresAt).toLocaleTimeString()})`)));
    } catch (error) {
      clear(result, banner(error));
    }
  });
  return h('div', { class: 'subsection' }, h('h3', {}, 'Try it'), formElement, result);
}

/** The dialog takes the session token in the fragment, which is never sent to a server; it asks the gateway for the sign-in address. */
export function connectDialogLink(session) {
  return `connect.html#${new URLSearchParams({ session: session.sessionToken })}`;
}
