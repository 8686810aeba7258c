// The connector editor (#/connectors/<id>). The draft is what the form shows; it is sent only on
// save. The parts in connector-editor/ get the editor and read and change its state.
import { ApiError } from '../api.js';
import { clear, h } from '../dom.js';
import { FormErrors } from '../form.js';
import { modeBadge, statusBadge } from './components/badges.js';
import { banner } from './components/banner.js';
import { showSummary } from './components/error-summary.js';
import { saveBar } from './components/save-bar.js';
import { toast } from './components/toast.js';
import { renderActivation } from './connector-editor/activation.js';
import { configToSend } from './connector-editor/config-to-send.js';
import { renderConnections } from './connector-editor/connections.js';
import { generalSection, modeSections } from './connector-editor/sections.js';
import { breadcrumbs, focusHeading, main, setTitle } from './page.js';
import { api } from './session.js';

export async function renderEditor(id) {
  clear(main, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  let connector;
  try {
    connector = await api(`/v1/connectors/${encodeURIComponent(id)}`);
  } catch (error) {
    clear(main, breadcrumbs(), h('h1', {}, 'Connector'), banner(error));
    return;
  }
  new ConnectorEditor(connector).mount();
}

class ConnectorEditor {
  constructor(connector) {
    this.form = new FormErrors();
    this.load(connector);
  }

  /** Starts a new draft from `connector`; secrets typed for the old one are dropped with it. */
  load(connector) {
    this.connector = connector;
    this.draft = { name: connector.name, slug: connector.slug, config: structuredClone(connector.config) };
    this.secrets = {};
    // Typed defaults of password fields, by field object of the draft.
    this.fieldSecrets = new WeakMap();
    this.dirty = false;
  }

  mount() {
    setTitle(this.connector.name);
    this.saveSummary = h('div', { class: 'summary', role: 'alert', hidden: true, id: 'save-errors' });
    this.activationErrors = h('div', { class: 'summary', role: 'alert', hidden: true, id: 'activation-errors' });
    this.sections = h('div', { class: 'sections' });
    const formElement = h('form', { novalidate: true, id: 'connector-form' }, this.sections);
    formElement.addEventListener('submit', (event) => {
      event.preventDefault();
      void this.save();
    });
    this.header = h('div');
    this.activation = h('section', { class: 'card activation', 'aria-labelledby': 'activation-heading' });
    this.connections = h('section', { class: 'card', 'aria-labelledby': 'connections-heading' });
    this.saveBar = saveBar(
      this.saveSummary,
      h('button', { type: 'button', class: 'button button-danger', onclick: () => void this.remove() }, 'Delete connector'),
      h('button', { type: 'button', class: 'button button-quiet', onclick: () => this.discard() }, 'Discard changes'),
      h('button', { type: 'submit', class: 'button button-primary', form: 'connector-form', id: 'save-connector' }, 'Save changes'),
    );
    clear(main, breadcrumbs(this.connector.slug), this.header, this.activation, formElement, this.saveBar.element, this.connections);
    this.render();
    focusHeading();
    void renderConnections(this);
  }

  render() {
    this.form.reset();
    const c = this.connector;
    clear(
      this.header,
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, c.name), h('p', { class: 'meta' }, modeBadge(c.mode), statusBadge(c.status), h('span', { class: 'muted small' }, `Version ${c.version}`), c.templateId ? h('span', { class: 'muted small' }, `Template: ${c.templateId}`) : null))),
    );
    renderActivation(this);
    this.renderSections();
    this.markDirty(false);
  }

  renderSections() {
    clear(this.sections, generalSection(this), ...modeSections(this));
  }

  /** For edits that add or remove controls (a field, another grant type): redraws, then marks the draft changed. */
  redrawSections() {
    this.renderSections();
    this.markDirty(true);
  }

  markDirty(dirty = true) {
    this.dirty = dirty;
    this.saveBar.showUnsaved(dirty);
  }

  /** Form field options bound to `config[key]` at `config.<key>`. */
  bind(config, key, extra = {}) {
    return { path: `config.${key}`, get: () => config[key], set: (v) => (config[key] = v), onChange: () => this.markDirty(), ...extra };
  }

  async save({ quiet = false } = {}) {
    this.saveSummary.hidden = true;
    this.activationErrors.hidden = true;
    this.form.clearAll();
    const body = { name: this.draft.name, slug: this.draft.slug, config: configToSend(this.draft.config, this.secrets, this.fieldSecrets) };
    const buttons = main.querySelectorAll('#save-connector');
    buttons.forEach((b) => (b.disabled = true));
    try {
      const updated = await api(`/v1/connectors/${this.connector.id}`, { method: 'PATCH', body });
      this.load(updated);
      this.render();
      if (!quiet) toast(updated.status === 'active' ? `Saved as version ${updated.version}. Active connections use it from now on.` : 'Saved.', 'success');
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length) {
        showSummary(this.saveSummary, this.form.show(error.fieldErrors), 'The changes were not saved:');
        this.saveSummary.querySelector('button')?.focus();
      } else {
        clear(this.saveSummary, banner(error)).hidden = false;
      }
      return false;
    } finally {
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  discard() {
    this.load(this.connector);
    this.saveSummary.hidden = true;
    this.activationErrors.hidden = true;
    this.render();
    toast('Changes discarded.');
  }

  async remove() {
    if (!window.confirm(`Delete the connector ${this.connector.name}? This cannot be undone.`)) return;
    try {
      await api(`/v1/connectors/${this.connector.id}`, { method: 'DELETE' });
      toast(`Deleted ${this.connector.name}.`, 'success');
      location.hash = '#/';
    } catch (error) {
      clear(this.saveSummary, banner(error)).hidden = false;
    }
  }
}
