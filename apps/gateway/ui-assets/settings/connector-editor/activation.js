// The activation switch. Switching on saves unsaved changes first; a refusal lists what is missing,
// each item beside its field as well.
import { ApiError } from '../../api.js';
import { clear, h } from '../../dom.js';
import { banner } from '../components/banner.js';
import { showSummary } from '../components/error-summary.js';
import { toast } from '../components/toast.js';
import { api } from '../session.js';
import { renderConnections } from './connections.js';

export function renderActivation(editor) {
  const c = editor.connector;
  const id = 'activation-switch';
  const toggle = h('input', { type: 'checkbox', role: 'switch', id, class: 'switch', checked: c.status === 'active', 'aria-checked': String(c.status === 'active'), 'aria-describedby': 'activation-note activation-errors' });
  toggle.addEventListener('change', () => void toggleActivation(editor, toggle));
  clear(
    editor.activation,
    h(
      'div',
      { class: 'switch-row' },
      h('div', {}, h('h2', { id: 'activation-heading' }, h('label', { for: id }, 'Enable activation')), h('p', { id: 'activation-note', class: 'muted' }, c.statusNote ?? '')),
      toggle,
    ),
    editor.activationErrors,
  );
}

async function toggleActivation(editor, toggle) {
  const enable = toggle.checked;
  toggle.disabled = true;
  editor.activationErrors.hidden = true;
  try {
    if (enable && editor.dirty && !(await editor.save({ quiet: true }))) {
      toggle.checked = false;
      return;
    }
    const updated = await api(`/v1/connectors/${editor.connector.id}/${enable ? 'activate' : 'deactivate'}`, { method: 'POST' });
    editor.load(updated);
    editor.render();
    toast(enable ? `${updated.name} is active: end users can connect.` : `${updated.name} is inactive: new connections are refused.`, 'success');
    void renderConnections(editor);
  } catch (error) {
    toggle.checked = !enable;
    toggle.setAttribute('aria-checked', String(!enable));
    if (error instanceof ApiError && error.code === 'activation_refused') {
      const described = editor.form.show(error.fieldErrors);
      showSummary(editor.activationErrors, described, 'Activation was refused. Complete these settings first:');
    } else {
      clear(editor.activationErrors, banner(error)).hidden = false;
    }
  } finally {
    toggle.disabled = false;
  }
}
