// The connector list (#/): filtered by mode and status, 50 at a time.
import { clear, h } from '../dom.js';
import { banner } from './components/banner.js';
import { modeBadge, statusBadge } from './components/badges.js';
import { timestamp } from './components/timestamp.js';
import { MODES, STATUS } from './connector-labels.js';
import { focusHeading, main, setTitle } from './page.js';
import { api } from './session.js';

export async function renderList() {
  setTitle('Connectors');
  const filters = { mode: '', status: '' };
  const tbody = h('tbody');
  const more = h('button', { type: 'button', class: 'button button-quiet', hidden: true }, 'Load more');
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  let cursor = null;

  const load = async (append) => {
    const query = new URLSearchParams({ limit: '50' });
    if (filters.mode) query.set('mode', filters.mode);
    if (filters.status) query.set('status', filters.status);
    if (append && cursor) query.set('cursor', cursor);
    status.textContent = 'Loading…';
    try {
      const page = await api(`/v1/connectors?${query}`);
      if (!append) tbody.replaceChildren();
      for (const connector of page.items) tbody.append(listRow(connector));
      cursor = page.nextCursor;
      more.hidden = !cursor;
      const count = tbody.children.length;
      status.textContent = count === 0 ? 'No connectors yet. Create one from a template or from scratch.' : `${count} connector${count === 1 ? '' : 's'}`;
    } catch (error) {
      status.replaceChildren(banner(error));
    }
  };
  more.addEventListener('click', () => void load(true));

  const filter = (id, key, allLabel, labels) => {
    const select = h('select', { id }, h('option', { value: '' }, allLabel), Object.entries(labels).map(([value, label]) => h('option', { value }, label)));
    select.addEventListener('change', () => {
      filters[key] = select.value;
      void load(false);
    });
    return select;
  };
  const modeLabels = Object.fromEntries(Object.entries(MODES).map(([value, mode]) => [value, mode.label]));

  clear(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Connectors'), h('p', { class: 'lead' }, 'How your workspace authenticates to third-party APIs. End users can connect a connector once its activation is enabled.')),
      h('div', { class: 'actions' }, h('a', { class: 'button button-quiet', href: '#/webhooks' }, 'Webhooks'), h('a', { class: 'button button-primary', href: '#/new' }, 'New connector')),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'list-heading' },
      h('h2', { id: 'list-heading', class: 'visually-hidden' }, 'All connectors'),
      h(
        'div',
        { class: 'filters' },
        h('label', { for: 'filter-mode' }, 'Mode'),
        filter('filter-mode', 'mode', 'All modes', modeLabels),
        h('label', { for: 'filter-status' }, 'Status'),
        filter('filter-status', 'status', 'All statuses', STATUS),
      ),
      h(
        'table',
        { class: 'table', id: 'connector-table' },
        h('thead', {}, h('tr', {}, ['Name', 'Mode', 'Status', 'Version', 'Updated'].map((title) => h('th', { scope: 'col' }, title)))),
        tbody,
      ),
      status,
      more,
    ),
  );
  focusHeading();
  await load(false);
}

function listRow(connector) {
  return h(
    'tr',
    { 'data-connector-id': connector.id, 'data-slug': connector.slug },
    h('td', {}, h('a', { href: `#/connectors/${connector.id}` }, connector.name), h('div', { class: 'muted small' }, connector.slug)),
    h('td', {}, modeBadge(connector.mode)),
    h('td', {}, statusBadge(connector.status)),
    h('td', {}, String(connector.version)),
    h('td', {}, timestamp(connector.updatedAt)),
  );
}
