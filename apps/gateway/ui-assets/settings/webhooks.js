// Webhooks (#/webhooks, #/webhooks/<id>): the workspace's endpoints, registered, changed, paused,
// given a new secret or removed here, and each one's recent deliveries with the outcome of their
// attempts; a delivery can be sent again. A signing secret is shown once, when it is made.
import { clear, h } from '../dom.js';
import { banner } from './components/banner.js';
import { card } from './components/card.js';
import { timestamp } from './components/timestamp.js';
import { toast } from './components/toast.js';
import { focusHeading, main, setTitle } from './page.js';
import { api } from './session.js';
import { endpointForm, secretOnce } from './webhook-endpoint-form.js';

const ENDPOINT_STATUS = { active: 'Active', disabled: 'Disabled', failing: 'Failing (disabled)' };
const DELIVERY_STATUS = { pending: 'Pending', succeeded: 'Delivered', failed: 'Failed' };
const OUTCOMES = { succeeded: 'Accepted', http_error: 'HTTP error', timeout: 'Timed out', network_error: 'Network error', refused: 'Address refused', interrupted: 'Interrupted' };

function crumbs(current) {
  return h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Connectors'), ' / ', current === undefined ? 'Webhooks' : h('a', { href: '#/webhooks' }, 'Webhooks'), current === undefined ? null : ` / ${current}`);
}

function badge(status, labels) {
  const tone = status === 'active' || status === 'succeeded' ? 'active' : status === 'pending' ? 'draft' : 'inactive';
  return h('span', { class: `badge badge-status badge-${tone}`, 'data-status': status }, labels[status] ?? status);
}

export async function renderWebhooks() {
  setTitle('Webhooks');
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' }, 'Loading…');
  const tbody = h('tbody');
  const shown = h('div');
  const adding = endpointForm({
    onSaved: (created) => {
      clear(shown, secretOnce(created.secret, `${created.url} was added.`));
      adding.reset();
      void listEndpoints(tbody, status);
    },
  });
  clear(
    main,
    crumbs(),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, 'Webhooks'), h('p', { class: 'lead' }, 'Endpoints told over HTTP when a connection or a connector changes; each delivery is signed the Standard Webhooks way.'))),
    shown,
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'endpoints-heading' },
      h('h2', { id: 'endpoints-heading', class: 'visually-hidden' }, 'Endpoints'),
      h('table', { class: 'table', id: 'webhook-endpoint-table' }, h('thead', {}, h('tr', {}, ['Endpoint', 'Events', 'Status', 'Created'].map((title) => h('th', { scope: 'col' }, title)))), tbody),
      status,
    ),
    card('Add an endpoint', 'The broker POSTs the chosen events to it, retrying for about a day when it does not answer 2xx.', adding),
  );
  focusHeading();
  await listEndpoints(tbody, status);
}

async function listEndpoints(tbody, status) {
  clear(tbody);
  try {
    const { items } = await api('/v1/webhook-endpoints');
    for (const endpoint of items) {
      tbody.append(
        h(
          'tr',
          { 'data-endpoint-id': endpoint.id },
          h('td', {}, h('a', { href: `#/webhooks/${endpoint.id}` }, endpoint.url), endpoint.description ? h('div', { class: 'muted small' }, endpoint.description) : null),
          h('td', {}, endpoint.eventTypes.join(', ')),
          h('td', {}, badge(endpoint.status, ENDPOINT_STATUS)),
          h('td', {}, timestamp(endpoint.createdAt)),
        ),
      );
    }
    status.textContent = items.length === 0 ? 'No webhook endpoints yet.' : `${items.length} endpoint${items.length === 1 ? '' : 's'}`;
  } catch (error) {
    status.replaceChildren(banner(error));
  }
}

export async function renderWebhookEndpoint(id) {
  setTitle('Webhook endpoint');
  let endpoint;
  try {
    endpoint = await api(`/v1/webhook-endpoints/${id}`);
  } catch (error) {
    clear(main, crumbs('Endpoint'), h('h1', {}, 'Webhook endpoint'), banner(error));
    focusHeading();
    return;
  }
  const tbody = h('tbody');
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' }, 'Loading…');
  const facts = h(
    'dl',
    { class: 'facts' },
    h('dt', {}, 'Status'),
    h('dd', {}, badge(endpoint.status, ENDPOINT_STATUS)),
    h('dt', {}, 'Events'),
    h('dd', {}, endpoint.eventTypes.join(', ')),
    h('dt', {}, 'Failed deliveries in a row'),
    h('dd', {}, String(endpoint.failedDeliveriesInARow)),
    h('dt', {}, 'Previous secret signs until'),
    h('dd', {}, timestamp(endpoint.previousSecretExpiresAt)),
  );
  const shown = h('div');
  clear(
    main,
    crumbs(endpoint.url),
    h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, endpoint.url), endpoint.description ? h('p', { class: 'lead' }, endpoint.description) : null)),
    shown,
    card('Endpoint', null, facts, endpointActions(endpoint, shown)),
    card('Change', null, endpointForm({ endpoint, onSaved: () => {
      toast('The endpoint was saved.', 'success');
      void renderWebhookEndpoint(id);
    } })),
    card(
      'Recent deliveries',
      'Newest first. A delivery is retried with backoff for about 24 hours under the same webhook-id; each attempt is listed.',
      h('table', { class: 'table', id: 'webhook-delivery-table' }, h('thead', {}, h('tr', {}, ['Event', 'Status', 'Attempts', 'Last attempt', ''].map((title) => h('th', { scope: 'col' }, title)))), tbody),
      status,
    ),
  );
  focusHeading();
  try {
    const page = await api(`/v1/webhook-endpoints/${id}/deliveries?limit=25`);
    for (const delivery of page.items) tbody.append(deliveryRow(id, delivery));
    status.textContent = page.items.length === 0 ? 'Nothing delivered yet.' : `${page.items.length} most recent deliver${page.items.length === 1 ? 'y' : 'ies'}`;
  } catch (error) {
    status.replaceChildren(banner(error));
  }
}

function deliveryRow(endpointId, delivery) {
  const outcome = h('div', { class: 'muted small', 'data-outcome': '' });
  const replay = h('button', { type: 'button', class: 'button button-quiet' }, 'Send again');
  replay.addEventListener('click', async () => {
    replay.disabled = true;
    try {
      await api(`/v1/webhook-endpoints/${endpointId}/deliveries/${delivery.id}/replay`, { method: 'POST' });
      toast('The delivery will be sent again.', 'success');
    } catch (error) {
      toast(`${error.message}`, 'error');
    } finally {
      replay.disabled = false;
    }
  });
  const row = h(
    'tr',
    { 'data-delivery-id': delivery.id },
    h('td', {}, delivery.eventType, h('div', { class: 'muted small' }, delivery.id)),
    h('td', {}, badge(delivery.status, DELIVERY_STATUS)),
    h('td', {}, String(delivery.attempts), outcome),
    h('td', {}, timestamp(delivery.lastAttemptAt)),
    h('td', {}, replay),
  );
  void api(`/v1/webhook-endpoints/${endpointId}/deliveries/${delivery.id}/attempts`).then(
    ({ items }) => {
      const last = items.at(-1);
      if (last) outcome.textContent = `${OUTCOMES[last.outcome] ?? last.outcome}${last.statusCode ? ` (${last.statusCode})` : ''}${last.durationMs === null ? '' : `, ${last.durationMs} ms`}`;
    },
    () => undefined,
  );
  return row;
}

/** Pause or resume, a new signing secret (the old one keeps signing for a day), removal. */
function endpointActions(endpoint, shown) {
  const act = (label, run) => {
    const button = h('button', { type: 'button', class: 'button button-quiet' }, label);
    button.addEventListener('click', async () => {
      button.disabled = true;
      try {
        await run();
      } catch (error) {
        toast(`${error.message}`, 'error');
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  const toggle = act(endpoint.enabled ? 'Disable' : 'Enable', async () => {
    await api(`/v1/webhook-endpoints/${endpoint.id}`, { method: 'PATCH', body: { enabled: !endpoint.enabled } });
    toast(endpoint.enabled ? 'The endpoint is disabled.' : 'The endpoint is enabled.', 'success');
    await renderWebhookEndpoint(endpoint.id);
  });
  const rotate = act('New signing secret', async () => {
    const rotated = await api(`/v1/webhook-endpoints/${endpoint.id}/rotate-secret`, { method: 'POST', body: {} });
    clear(shown, secretOnce(rotated.secret, 'A new signing secret was made; the previous one keeps signing during the grace period.'));
  });
  const remove = act('Delete', async () => {
    if (!window.confirm(`Delete the endpoint ${endpoint.url}? Its deliveries are deleted with it.`)) return;
    await api(`/v1/webhook-endpoints/${endpoint.id}`, { method: 'DELETE' });
    toast('The endpoint was deleted.', 'success');
    location.hash = '#/webhooks';
  });
  return h('div', { class: 'actions' }, toggle, rotate, remove);
}
