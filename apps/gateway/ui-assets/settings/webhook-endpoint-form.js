// Registering and changing a webhook endpoint: URL, description and the event types it wants; the
// signing secret the API shows once (on create and on rotation) is shown here once, to copy.
import { clear, h, uid } from '../dom.js';
import { banner } from './components/banner.js';
import { showSummary } from './components/error-summary.js';
import { api } from './session.js';

/** The event types an endpoint may ask for (WEBHOOK_EVENT_TYPES in @cb/events; a unit test keeps them equal). */
export const EVENT_TYPES = [
  ['connection.created', 'A connection is made (connect or import)'],
  ['connection.refreshed', 'Its token is refreshed'],
  ['connection.reconnected', 'The end user connects it again'],
  ['connection.needs_reconnect', 'It needs the end user to reconnect'],
  ['connection.deleted', 'It is disconnected'],
  ['connection.failed', 'A connect attempt fails'],
  ['connector.activated', 'A connector is activated or changed'],
  ['connector.deactivated', 'A connector is deactivated'],
];

/**
 * A form for a new endpoint (`endpoint` undefined) or for changing one. `onSaved(saved)` gets the
 * API's answer (with `secret` for a new endpoint).
 */
export function endpointForm({ endpoint, onSaved }) {
  const urlId = uid('url');
  const descriptionId = uid('description');
  const url = h('input', { id: urlId, type: 'url', name: 'url', required: true, placeholder: 'https://hooks.example.com/credential-broker' });
  const description = h('input', { id: descriptionId, type: 'text', name: 'description', maxlength: '500' });
  url.defaultValue = endpoint?.url ?? '';
  description.defaultValue = endpoint?.description ?? '';
  const chosen = new Set(endpoint?.eventTypes ?? ['connection.created', 'connection.needs_reconnect', 'connection.deleted']);
  const boxes = EVENT_TYPES.map(([type, about]) => {
    const box = h('input', { type: 'checkbox', name: 'eventTypes', value: type });
    box.defaultChecked = chosen.has(type);
    box.checked = chosen.has(type);
    return h('label', { class: 'field-check' }, box, ' ', h('code', {}, type), h('span', { class: 'muted small' }, ` ${about}`));
  });
  const summary = h('div', { class: 'summary', role: 'alert', tabindex: '-1', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button' }, endpoint ? 'Save changes' : 'Add endpoint');
  const controls = { url, description, eventTypes: boxes[0].querySelector('input') };
  const form = h(
    'form',
    { class: 'webhook-endpoint-form', novalidate: true },
    summary,
    h('div', { class: 'field' }, h('label', { for: urlId }, 'URL'), url, h('p', { class: 'hint' }, 'https (http only on localhost while the broker runs in development). Each delivery is a signed POST.')),
    h('div', { class: 'field' }, h('label', { for: descriptionId }, 'Description'), description),
    h('fieldset', { class: 'field' }, h('legend', {}, 'Events'), boxes),
    h('div', { class: 'actions' }, submit),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    summary.hidden = true;
    const eventTypes = boxes.map((label) => label.querySelector('input')).filter((box) => box.checked).map((box) => box.value);
    const body = { url: url.value.trim(), description: description.value.trim(), eventTypes };
    const problems = [];
    if (!body.url) problems.push({ path: 'url', message: 'Enter the URL deliveries go to' });
    if (eventTypes.length === 0) problems.push({ path: 'eventTypes', message: 'Choose at least one event' });
    if (problems.length > 0) return report(problems);
    submit.disabled = true;
    try {
      const saved = await api(endpoint ? `/v1/webhook-endpoints/${endpoint.id}` : '/v1/webhook-endpoints', { method: endpoint ? 'PATCH' : 'POST', body });
      onSaved(saved);
    } catch (error) {
      if (error.fieldErrors?.length) {
        report(error.fieldErrors);
      } else {
        clear(summary, banner(error));
        summary.hidden = false;
        summary.focus();
      }
    } finally {
      submit.disabled = false;
    }
  });

  function report(problems) {
    showSummary(summary, problems.map((problem) => ({ ...problem, control: controls[problem.path.split('.')[0].replace(/\[\d+\]$/, '')] })), 'Check these fields');
    summary.focus();
  }

  return form;
}

/** The signing secret, shown once: the API never shows it again. */
export function secretOnce(secret, what) {
  const field = h('input', { type: 'text', readonly: true, value: secret, class: 'secret-once', 'aria-label': 'Signing secret', 'data-secret': '' });
  const copy = h('button', { type: 'button', class: 'button button-quiet' }, 'Copy');
  copy.addEventListener('click', async () => {
    field.select();
    await navigator.clipboard?.writeText(secret).catch(() => undefined);
    copy.textContent = 'Copied';
  });
  return h(
    'section',
    { class: 'card secret-shown', role: 'status', 'aria-label': 'Signing secret' },
    h('p', {}, h('strong', {}, what), ' Copy the signing secret now: it is not shown again. Verify each delivery with it (Standard Webhooks).'),
    h('div', { class: 'url-lookup' }, field, copy),
  );
}
