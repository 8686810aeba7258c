// The connector's connections, and a way to try the connect dialog for an end user.
import { ApiError } from '../../api.js';
import { clear, h, uid } from '../../dom.js';
import { banner } from '../components/banner.js';
import { timestamp } from '../components/timestamp.js';
import { api } from '../session.js';

// a tag filter is key:value, as the API takes it (split at the first colon)
const TAG_FILTER = /^[A-Za-z0-9_.-]{1,64}:.{1,256}$/;

export async function renderConnections(editor) {
  const c = editor.connector;
  editor.connectionFilters ??= { tag: '', endUserId: '' };
  const filters = editor.connectionFilters;
  const body = h('div', { role: 'status', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
  const refresh = h('button', { type: 'button', class: 'button button-quiet small', id: 'refresh-connections', onclick: () => void renderConnections(editor) }, 'Refresh');
  clear(
    editor.connections,
    h('div', { class: 'section-head' }, h('h2', { id: 'connections-heading' }, 'Connections'), refresh),
    filterForm(editor, filters),
    body,
    c.status === 'active' ? trySection(c.id) : h('p', { class: 'hint' }, 'Enable activation to let end users connect.'),
  );
  try {
    const query = new URLSearchParams({ connectorId: c.id, limit: '100' });
    if (filters.tag) query.append('tag', filters.tag);
    if (filters.endUserId) query.set('endUserId', filters.endUserId);
    const page = await api(`/v1/connections?${query}`);
    const filtered = Boolean(filters.tag || filters.endUserId);
    if (page.items.length === 0) {
      clear(body, h('p', { class: 'muted', id: 'no-connections' }, filtered ? 'No connection matches these filters.' : 'No connections yet.'));
      return;
    }
    clear(body, connectionTable(page.items), h('p', { class: 'muted small' }, `${page.total} connection${page.total === 1 ? '' : 's'}${filtered ? ' match' : ''}`));
  } catch (error) {
    clear(body, error instanceof ApiError && error.status === 403 ? h('p', { class: 'muted' }, 'This API key cannot list connections (needs connect or credentials:read).') : banner(error));
  }
}

/** Filters by one tag (key:value) and by end user ID; both narrow the list. */
function filterForm(editor, filters) {
  const tagId = uid('tag-filter');
  const userId = uid('user-filter');
  const errorId = uid('tag-filter-error');
  const tag = h('input', { id: tagId, name: 'tag', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'plan:enterprise', value: filters.tag });
  const endUser = h('input', { id: userId, name: 'endUserId', type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: 'user-123', value: filters.endUserId });
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const formElement = h(
    'form',
    { class: 'inline-form', id: 'connection-filters', novalidate: true, role: 'search', 'aria-label': 'Filter connections' },
    h('div', { class: 'field' }, h('label', { for: tagId }, 'Tag (key:value)'), tag, error),
    h('div', { class: 'field' }, h('label', { for: userId }, 'End user'), endUser),
    h('button', { type: 'submit', class: 'button button-quiet' }, 'Filter'),
    filters.tag || filters.endUserId
      ? h('button', { type: 'button', class: 'button button-quiet', onclick: () => { editor.connectionFilters = { tag: '', endUserId: '' }; void renderConnections(editor); } }, 'Clear filters')
      : null,
  );
  formElement.addEventListener('submit', (event) => {
    event.preventDefault();
    const wanted = tag.value.trim();
    if (wanted && !TAG_FILTER.test(wanted)) {
      error.textContent = 'Write the tag as key:value, e.g. plan:enterprise.';
      error.hidden = false;
      tag.setAttribute('aria-invalid', 'true');
      tag.setAttribute('aria-describedby', errorId);
      tag.focus();
      return;
    }
    editor.connectionFilters = { tag: wanted, endUserId: endUser.value.trim() };
    void renderConnections(editor);
  });
  return formElement;
}

function connectionTable(items) {
  return h(
    'table',
    { class: 'table', id: 'connection-table' },
    h('thead', {}, h('tr', {}, ['End user', 'Tags', 'Status', 'Expires', 'Connected'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      items.map((item) =>
        h(
          'tr',
          { 'data-connection-id': item.connectionId, 'data-end-user-id': item.endUserId },
          h('td', { 'data-end-user': '' }, endUserCell(item)),
          h('td', { 'data-tags': '' }, tagList(item.tags ?? {})),
          h('td', {}, h('span', { class: `badge badge-${item.status}` }, item.status.replace('_', ' '))),
          h('td', {}, timestamp(item.expiresAt)),
          h('td', {}, timestamp(item.createdAt)),
        ),
      ),
    ),
  );
}

/** The end user's name (or ID), with the e-mail and, when a name is shown, the ID beneath. */
function endUserCell(item) {
  const endUser = item.endUser ?? { id: item.endUserId };
  const details = [endUser.email, endUser.displayName ? endUser.id : null].filter(Boolean).join(' · ');
  return [h('div', { 'data-display-name': '' }, endUser.displayName || endUser.id), details ? h('div', { class: 'muted small', 'data-end-user-details': '' }, details) : null];
}

function tagList(tags) {
  const entries = Object.entries(tags);
  if (entries.length === 0) return h('span', { class: 'muted' }, '—');
  return h('ul', { class: 'tag-list' }, entries.map(([key, value]) => h('li', { class: 'badge badge-tag', 'data-tag': `${key}:${value}` }, `${key}: ${value}`)));
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
