// Connector settings: sign in with a workspace API key (kept in sessionStorage only), list, create,
// edit every auth mode, switch activation on and off, and see why activation was refused.
import { ApiError, apiRequest } from './api.js';
import { clear, h, slugify, uid } from './dom.js';
import { FormErrors, checkboxField, inputField, mapField, secretField, selectField } from './form.js';

const KEY_STORAGE = 'credential-broker.apiKey';
const MODES = {
  OAUTH2: { label: 'OAuth 2.0', about: 'The user signs in at the provider and consents in a popup; tokens are refreshed for you.' },
  API_KEY: { label: 'API Key', about: 'The user pastes an API key, sent in a header or a query parameter.' },
  BEARER: { label: 'Bearer Token', about: 'The user pastes a token, sent as Authorization: Bearer.' },
  BASIC: { label: 'Basic Auth', about: 'The user enters a username and a password.' },
  CUSTOM: { label: 'Custom Input', about: 'Fields you define (keys, secrets, numbers), shown on the connect form.' },
};
const STATUS = { draft: 'Draft', active: 'Active', inactive: 'Inactive' };
const FIELD_TYPES = [
  ['text', 'Text'],
  ['password', 'Password (secret, masked)'],
  ['number', 'Number'],
];

const main = document.getElementById('main');
const account = document.getElementById('account');
const toastRegion = document.getElementById('toast');
let apiKey = sessionStorage.getItem(KEY_STORAGE);
let templates;

// ---------------------------------------------------------------------------------------------
// plumbing

function api(path, options = {}) {
  return apiRequest(path, { ...options, credential: apiKey }).catch((error) => {
    if (error instanceof ApiError && error.status === 401) {
      signOut('The API key was refused. Please sign in again.');
    }
    throw error;
  });
}

let toastTimer;
function toast(message, kind = 'info') {
  clearTimeout(toastTimer);
  toastRegion.className = `toast toast-${kind} toast-visible`;
  toastRegion.textContent = message;
  toastTimer = setTimeout(() => toastRegion.classList.remove('toast-visible'), 6000);
}

function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

function modeBadge(mode) {
  return h('span', { class: `badge badge-mode`, 'data-mode': mode }, MODES[mode]?.label ?? mode);
}

function statusBadge(status) {
  return h('span', { class: `badge badge-status badge-${status}`, 'data-status': status }, STATUS[status] ?? status);
}

function banner(error) {
  const message = error instanceof ApiError ? `${error.message} (${error.code})` : String(error?.message ?? error);
  return h('div', { class: 'banner banner-error', role: 'alert' }, message);
}

function when(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return h('time', { datetime: iso, title: date.toISOString() }, date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }));
}

// ---------------------------------------------------------------------------------------------
// sign in

function signOut(message) {
  apiKey = null;
  sessionStorage.removeItem(KEY_STORAGE);
  templates = undefined;
  if (location.hash !== '#/') history.replaceState(null, '', '#/');
  renderSignIn(message);
}

function renderAccount() {
  if (!apiKey) {
    clear(account);
    return;
  }
  clear(
    account,
    h('span', { class: 'key-hint' }, 'Signed in with ', h('code', {}, `${apiKey.split('_').slice(0, 2).join('_')}_…`)),
    h('button', { type: 'button', class: 'button button-quiet', onclick: () => signOut('Signed out.') }, 'Sign out'),
  );
}

function renderSignIn(message) {
  document.title = 'Sign in · Credential Broker';
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
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const candidate = input.value.trim();
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    if (!candidate) {
      error.textContent = 'Enter an API key.';
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    submit.disabled = true;
    try {
      await apiRequest('/v1/connectors?limit=1', { credential: candidate });
      apiKey = candidate;
      sessionStorage.setItem(KEY_STORAGE, candidate);
      route();
    } catch (failure) {
      error.textContent =
        failure instanceof ApiError && failure.status === 401
          ? 'This API key was not accepted. Check that it is complete and has not been revoked.'
          : failure instanceof ApiError && failure.status === 403
            ? 'This API key lacks the admin scope needed to manage connectors.'
            : failure.message;
      error.hidden = false;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  clear(main, form);
  input.focus();
}

// ---------------------------------------------------------------------------------------------
// the list

async function renderList() {
  document.title = 'Connectors · Credential Broker';
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

  const modeFilter = h('select', { id: 'filter-mode' }, h('option', { value: '' }, 'All modes'), Object.entries(MODES).map(([value, mode]) => h('option', { value }, mode.label)));
  const statusFilter = h('select', { id: 'filter-status' }, h('option', { value: '' }, 'All statuses'), Object.entries(STATUS).map(([value, label]) => h('option', { value }, label)));
  modeFilter.addEventListener('change', () => {
    filters.mode = modeFilter.value;
    void load(false);
  });
  statusFilter.addEventListener('change', () => {
    filters.status = statusFilter.value;
    void load(false);
  });

  clear(
    main,
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('h1', {}, 'Connectors'), h('p', { class: 'lead' }, 'How your workspace authenticates to third-party APIs. End users can connect a connector once its activation is enabled.')),
      h('a', { class: 'button button-primary', href: '#/new' }, 'New connector'),
    ),
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'list-heading' },
      h('h2', { id: 'list-heading', class: 'visually-hidden' }, 'All connectors'),
      h('div', { class: 'filters' }, h('label', { for: 'filter-mode' }, 'Mode'), modeFilter, h('label', { for: 'filter-status' }, 'Status'), statusFilter),
      h(
        'table',
        { class: 'table', id: 'connector-table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Mode'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Updated'))),
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
    h('td', {}, when(connector.updatedAt)),
  );
}

// ---------------------------------------------------------------------------------------------
// create

async function renderNew() {
  document.title = 'New connector · Credential Broker';
  const form = new FormErrors();
  const summary = h('div', { class: 'summary', role: 'alert', hidden: true });
  const source = { kind: 'template' };
  const fromTemplate = { templateId: '', clientId: undefined, clientSecret: undefined, scopes: undefined, name: undefined, slug: undefined };
  const fromScratch = { name: undefined, slug: undefined, mode: 'OAUTH2' };
  const body = h('div');

  if (templates === undefined) {
    try {
      templates = (await api('/v1/connector-templates')).items;
    } catch (error) {
      templates = [];
      toast(`Templates could not be loaded: ${error.message}`, 'error');
    }
  }

  const renderTemplateForm = () => {
    form.reset();
    const template = templates.find((t) => t.id === fromTemplate.templateId);
    const scopesHint = template ? `Defaults: ${template.defaultScopes.join(' ') || 'none'}` : 'Separated by spaces.';
    clear(
      body,
      selectField(form, {
        label: 'Provider template',
        path: 'templateId',
        get: () => fromTemplate.templateId,
        set: (value) => {
          fromTemplate.templateId = value;
          const chosen = templates.find((t) => t.id === value);
          fromTemplate.scopes = chosen ? [...chosen.defaultScopes] : undefined;
        },
        options: [['', 'Choose a provider…'], ...templates.map((t) => [t.id, `${t.name}`])],
        onChange: renderTemplateForm,
      }),
      template ? h('p', { class: 'hint' }, 'Provider documentation: ', h('a', { href: template.docsUrl, target: '_blank', rel: 'noopener noreferrer' }, template.docsUrl)) : null,
      h(
        'div',
        { class: 'grid-2' },
        inputField(form, { label: 'Client ID', path: 'clientId', get: () => fromTemplate.clientId, set: (v) => (fromTemplate.clientId = v), required: true }),
        secretField(form, { label: 'Client secret', path: 'clientSecret', isSet: false, set: (v) => (fromTemplate.clientSecret = v) }),
      ),
      inputField(form, {
        label: 'Scopes',
        path: 'scopes',
        get: () => (fromTemplate.scopes ?? []).join(' '),
        set: (v) => (fromTemplate.scopes = v === undefined ? [] : v.split(/\s+/).filter(Boolean)),
        hint: scopesHint,
      }),
      h(
        'div',
        { class: 'grid-2' },
        inputField(form, { label: 'Name', path: 'name', get: () => fromTemplate.name, set: (v) => (fromTemplate.name = v), hint: 'Defaults to the provider name.' }),
        inputField(form, { label: 'Slug', path: 'slug', get: () => fromTemplate.slug, set: (v) => (fromTemplate.slug = v), hint: 'Lower case letters, digits and dashes; defaults to the template id.' }),
      ),
    );
  };

  const renderScratchForm = () => {
    form.reset();
    const slugWrap = inputField(form, { label: 'Slug', path: 'slug', get: () => fromScratch.slug, set: (v) => (fromScratch.slug = v), required: true, hint: 'Unique in the workspace: lower case letters, digits and dashes.' });
    const slugInput = slugWrap.querySelector('input');
    let slugTouched = Boolean(fromScratch.slug);
    slugInput.addEventListener('input', () => (slugTouched = true));
    const nameWrap = inputField(form, {
      label: 'Name',
      path: 'name',
      get: () => fromScratch.name,
      set: (v) => {
        fromScratch.name = v;
        if (!slugTouched) {
          fromScratch.slug = slugify(v ?? '') || undefined;
          slugInput.value = fromScratch.slug ?? '';
        }
      },
      required: true,
    });
    const modeGroup = h(
      'fieldset',
      { class: 'mode-picker', 'data-path': 'config.mode' },
      h('legend', {}, 'Auth mode'),
      Object.entries(MODES).map(([value, mode]) => {
        const id = uid('mode');
        const radio = h('input', { type: 'radio', name: 'mode', id, value, checked: fromScratch.mode === value });
        radio.addEventListener('change', () => (fromScratch.mode = value));
        return h('div', { class: 'mode-option' }, radio, h('label', { for: id }, h('strong', {}, mode.label), h('span', { class: 'muted small' }, mode.about)));
      }),
    );
    clear(body, h('div', { class: 'grid-2' }, nameWrap, slugWrap), modeGroup);
  };

  const sourcePicker = h(
    'fieldset',
    { class: 'segmented' },
    h('legend', { class: 'visually-hidden' }, 'Start from'),
    [
      ['template', 'From a template'],
      ['scratch', 'From scratch'],
    ].map(([value, text]) => {
      const id = `source-${value}`;
      const radio = h('input', { type: 'radio', name: 'source', id, value, checked: source.kind === value });
      radio.addEventListener('change', () => {
        source.kind = value;
        summary.hidden = true;
        if (value === 'template') renderTemplateForm();
        else renderScratchForm();
      });
      return [radio, h('label', { for: id }, text)];
    }),
  );

  const submit = h('button', { type: 'submit', class: 'button button-primary' }, 'Create connector');
  const formElement = h(
    'form',
    { class: 'card', novalidate: true },
    sourcePicker,
    body,
    summary,
    h('div', { class: 'actions' }, h('a', { class: 'button button-quiet', href: '#/' }, 'Cancel'), submit),
  );
  formElement.addEventListener('submit', async (event) => {
    event.preventDefault();
    summary.hidden = true;
    let request;
    if (source.kind === 'template') {
      const problems = [];
      if (!fromTemplate.templateId) problems.push({ path: 'templateId', message: 'Choose a provider template' });
      if (!fromTemplate.clientId) problems.push({ path: 'clientId', message: 'Enter the client ID the provider gave you' });
      if (problems.length) return showSummary(summary, form.show(problems), 'The connector could not be created:');
      request = prune({ templateId: fromTemplate.templateId, clientId: fromTemplate.clientId, clientSecret: fromTemplate.clientSecret, scopes: fromTemplate.scopes, name: fromTemplate.name, slug: fromTemplate.slug });
    } else {
      const problems = [];
      if (!fromScratch.name) problems.push({ path: 'name', message: 'Enter a name' });
      if (!fromScratch.slug) problems.push({ path: 'slug', message: 'Enter a slug' });
      if (problems.length) return showSummary(summary, form.show(problems), 'The connector could not be created:');
      request = { name: fromScratch.name, slug: fromScratch.slug, config: fromScratch.mode === 'CUSTOM' ? { mode: 'CUSTOM', fields: [] } : { mode: fromScratch.mode } };
    }
    submit.disabled = true;
    try {
      const created = await api('/v1/connectors', { method: 'POST', body: request });
      toast(`Created ${created.name}. Complete its settings, then enable activation.`, 'success');
      location.hash = `#/connectors/${created.id}`;
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length) showSummary(summary, form.show(error.fieldErrors), 'The connector could not be created:');
      else clear(summary, banner(error)).hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  clear(main, h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Connectors'), ' / New'), h('h1', {}, 'New connector'), formElement);
  renderTemplateForm();
  focusHeading();
}

/** A summary of field errors: each one a button that moves focus to its control. */
function showSummary(container, errors, title) {
  clear(
    container,
    h('p', { class: 'summary-title' }, title),
    h(
      'ul',
      {},
      errors.map((error) =>
        h(
          'li',
          { 'data-error-path': error.path },
          error.control
            ? h('button', { type: 'button', class: 'link', onclick: () => error.control.focus() }, error.label ?? error.path)
            : h('code', {}, error.path || 'request'),
          ': ',
          error.message,
        ),
      ),
    ),
  );
  container.hidden = false;
  return undefined;
}

function prune(object) {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined && value !== ''));
}

// ---------------------------------------------------------------------------------------------
// edit

async function renderEditor(id) {
  clear(main, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
  let connector;
  try {
    connector = await api(`/v1/connectors/${encodeURIComponent(id)}`);
  } catch (error) {
    clear(main, h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Connectors')), h('h1', {}, 'Connector'), banner(error));
    return;
  }
  new ConnectorEditor(connector).mount();
}

class ConnectorEditor {
  constructor(connector) {
    this.form = new FormErrors();
    this.load(connector);
  }

  load(connector) {
    this.connector = connector;
    this.draft = { name: connector.name, slug: connector.slug, config: structuredClone(connector.config) };
    this.secrets = {};
    this.dirty = false;
  }

  mount() {
    document.title = `${this.connector.name} · Credential Broker`;
    this.dirtyNote = h('span', { class: 'dirty-note', role: 'status', 'aria-live': 'polite' });
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
    clear(
      main,
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Connectors'), ` / ${this.connector.slug}`),
      this.header,
      this.activation,
      formElement,
      h(
        'div',
        { class: 'savebar' },
        this.saveSummary,
        h(
          'div',
          { class: 'actions' },
          this.dirtyNote,
          h('button', { type: 'button', class: 'button button-danger', onclick: () => void this.remove() }, 'Delete connector'),
          h('button', { type: 'button', class: 'button button-quiet', onclick: () => this.discard() }, 'Discard changes'),
          h('button', { type: 'submit', class: 'button button-primary', form: 'connector-form', id: 'save-connector' }, 'Save changes'),
        ),
      ),
      this.connections,
    );
    this.render();
    focusHeading();
    void this.renderConnections();
  }

  render() {
    this.form.reset();
    const c = this.connector;
    clear(
      this.header,
      h('div', { class: 'page-head' }, h('div', {}, h('h1', {}, c.name), h('p', { class: 'meta' }, modeBadge(c.mode), statusBadge(c.status), h('span', { class: 'muted small' }, `Version ${c.version}`), c.templateId ? h('span', { class: 'muted small' }, `Template: ${c.templateId}`) : null))),
    );
    this.renderActivation();
    clear(this.sections, this.generalSection(), ...this.modeSections());
    this.markDirty(false);
  }

  markDirty(dirty = true) {
    this.dirty = dirty;
    this.dirtyNote.textContent = dirty ? 'Unsaved changes' : '';
  }

  renderActivation() {
    const c = this.connector;
    const id = 'activation-switch';
    const toggle = h('input', { type: 'checkbox', role: 'switch', id, class: 'switch', checked: c.status === 'active', 'aria-checked': String(c.status === 'active'), 'aria-describedby': 'activation-note activation-errors' });
    toggle.addEventListener('change', () => void this.toggleActivation(toggle));
    clear(
      this.activation,
      h(
        'div',
        { class: 'switch-row' },
        h('div', {}, h('h2', { id: 'activation-heading' }, h('label', { for: id }, 'Enable activation')), h('p', { id: 'activation-note', class: 'muted' }, c.statusNote ?? '')),
        toggle,
      ),
      this.activationErrors,
    );
  }

  async toggleActivation(toggle) {
    const enable = toggle.checked;
    toggle.disabled = true;
    this.activationErrors.hidden = true;
    try {
      if (enable && this.dirty && !(await this.save({ quiet: true }))) {
        toggle.checked = false;
        return;
      }
      const updated = await api(`/v1/connectors/${this.connector.id}/${enable ? 'activate' : 'deactivate'}`, { method: 'POST' });
      this.load(updated);
      this.render();
      toast(enable ? `${updated.name} is active: end users can connect.` : `${updated.name} is inactive: new connections are refused.`, 'success');
      void this.renderConnections();
    } catch (error) {
      toggle.checked = !enable;
      toggle.setAttribute('aria-checked', String(!enable));
      if (error instanceof ApiError && error.code === 'activation_refused') {
        const described = this.form.show(error.fieldErrors);
        showSummary(this.activationErrors, described, 'Activation was refused. Complete these settings first:');
      } else {
        clear(this.activationErrors, banner(error)).hidden = false;
      }
    } finally {
      toggle.disabled = false;
    }
  }

  generalSection() {
    const d = this.draft;
    const dirty = () => this.markDirty();
    return card(
      'General',
      undefined,
      h(
        'div',
        { class: 'grid-2' },
        inputField(this.form, { label: 'Name', path: 'name', get: () => d.name, set: (v) => (d.name = v), required: true, onChange: dirty }),
        inputField(this.form, { label: 'Slug', path: 'slug', get: () => d.slug, set: (v) => (d.slug = v), required: true, onChange: dirty, hint: 'Unique in the workspace.' }),
      ),
    );
  }

  modeSections() {
    switch (this.draft.config.mode) {
      case 'OAUTH2':
        return this.oauthSections();
      case 'BASIC':
        return [this.basicSection()];
      case 'API_KEY':
        return [this.apiKeySection()];
      case 'BEARER':
        return [this.bearerSection()];
      case 'CUSTOM':
        return this.customSections();
      default:
        return [card('Settings', undefined, h('p', {}, `Unknown mode ${this.draft.config.mode}`))];
    }
  }

  bind(config, key, extra = {}) {
    return { path: `config.${key}`, get: () => config[key], set: (v) => (config[key] = v), onChange: () => this.markDirty(), ...extra };
  }

  oauthSections() {
    const c = this.draft.config;
    const f = this.form;
    c.tokenResponsePaths ??= {};
    const rerender = () => {
      this.markDirty();
      const wasDirty = this.dirty;
      clear(this.sections, this.generalSection(), ...this.modeSections());
      this.markDirty(wasDirty);
    };
    const authorization = card(
      'Authorization',
      'The login redirect and consent at the provider: where to send the user and what to ask for.',
      c.grantType === 'client_credentials' ? h('p', { class: 'banner banner-info' }, 'Client credentials connectors have no user login; only the client ID and secret below are used from this section.') : null,
      inputField(f, { label: 'Authorization URL', ...this.bind(c, 'authorizationUrl'), type: 'url', placeholder: 'https://login.example.com/oauth2/authorize', hint: 'May contain {tenant} and {attr.<key>} placeholders.' }),
      h(
        'div',
        { class: 'grid-2' },
        inputField(f, { label: 'Client ID', ...this.bind(c, 'clientId') }),
        secretField(f, { label: 'Client secret', path: 'config.clientSecret', isSet: Boolean(c.clientSecret?.isSet), set: (v) => (this.secrets.clientSecret = v), onChange: () => this.markDirty(), hint: 'Write-only: stored encrypted, never shown. Leave empty to keep the stored one.' }),
      ),
      h(
        'div',
        { class: 'grid-3' },
        inputField(f, {
          label: 'Scopes',
          path: 'config.scopes',
          get: () => (c.scopes ?? []).join(' '),
          set: (v) => (c.scopes = v === undefined ? [] : v.split(/\s+/).filter(Boolean)),
          onChange: () => this.markDirty(),
          hint: 'Separated by spaces here.',
          className: 'field span-2',
        }),
        selectField(f, { label: 'Scope separator', ...this.bind(c, 'scopeSeparator'), options: [[' ', 'Space'], [',', 'Comma']], hint: 'How the provider wants them joined.' }),
      ),
      h(
        'div',
        { class: 'grid-2' },
        inputField(f, { label: 'Scope parameter', ...this.bind(c, 'scopeParam'), placeholder: 'scope' }),
        inputField(f, { label: 'Tenant ID', ...this.bind(c, 'tenantId'), hint: 'The {tenant} used when a connection names none, e.g. common.' }),
      ),
      mapField(f, { label: 'Authorization parameters', ...this.bind(c, 'authorizationParams'), hint: 'Extra query parameters, one per line: prompt=consent, access_type=offline' }),
      this.requiredAttributesEditor(c, rerender),
    );
    const paths = c.tokenResponsePaths;
    const token = card(
      'Token',
      'The code exchange and refresh: where tokens come from and how the client authenticates.',
      h(
        'div',
        { class: 'grid-2' },
        selectField(f, { label: 'Grant type', ...this.bind(c, 'grantType'), options: [['authorization_code', 'Authorization code (users connect)'], ['client_credentials', 'Client credentials (server to server)']], onChange: rerender }),
        selectField(f, { label: 'Refresh token grant type', ...this.bind(c, 'refreshGrantType'), options: [['refresh_token', 'Refresh token'], ['none', 'None (no refresh tokens)']] }),
      ),
      inputField(f, { label: 'Access token URL', ...this.bind(c, 'tokenUrl'), type: 'url', placeholder: 'https://login.example.com/oauth2/token' }),
      h(
        'div',
        { class: 'grid-2' },
        selectField(f, { label: 'Client authentication', ...this.bind(c, 'clientAuthMethod'), options: [['client_secret_basic', 'client_secret_basic (HTTP Basic)'], ['client_secret_post', 'client_secret_post (in the body)']] }),
        selectField(f, { label: 'Token request body', ...this.bind(c, 'tokenRequestFormat'), options: [['form', 'Form (application/x-www-form-urlencoded)'], ['json', 'JSON']] }),
      ),
      checkboxField(f, { label: 'Use PKCE (S256)', ...this.bind(c, 'pkce'), hint: 'Keep on unless the provider rejects it.' }),
      inputField(f, { label: 'Revocation URL', ...this.bind(c, 'revocationUrl'), type: 'url', hint: 'Optional: tokens are revoked here when a connection is removed.' }),
      h(
        'div',
        { class: 'grid-2' },
        inputField(f, { label: 'Refresh margin (seconds)', ...this.bind(c, 'refreshMarginSeconds'), type: 'number', inputmode: 'numeric', hint: 'Refresh this long before the access token expires.' }),
        inputField(f, { label: 'Refresh token lifetime (seconds)', ...this.bind(c, 'refreshTokenLifetimeSeconds'), type: 'number', inputmode: 'numeric', hint: 'Optional, from the provider documentation, e.g. 7776000 for 90 days.' }),
      ),
      h(
        'details',
        { class: 'advanced' },
        h('summary', {}, 'Token response paths and metadata'),
        h('p', { class: 'hint' }, 'For providers that nest tokens, e.g. Slack user tokens: authed_user.access_token.'),
        h(
          'div',
          { class: 'grid-3' },
          ['accessToken', 'refreshToken', 'expiresIn', 'scope', 'tokenType'].map((key) =>
            inputField(f, { label: key, path: `config.tokenResponsePaths.${key}`, get: () => paths[key], set: (v) => (paths[key] = v), onChange: () => this.markDirty() }),
          ),
        ),
        mapField(f, { label: 'Metadata to keep', ...this.bind(c, 'metadataPaths'), hint: 'Kept with the credential, one per line: name=path, e.g. instance_url=instance_url' }),
      ),
    );
    return [authorization, token];
  }

  requiredAttributesEditor(c, rerender) {
    c.requiredAttributes ??= [];
    const list = c.requiredAttributes;
    return h(
      'fieldset',
      { class: 'subsection' },
      h('legend', {}, 'Required attributes'),
      h('p', { class: 'hint' }, 'Values the end user supplies before connecting, usable in URLs as {attr.<key>} (e.g. a Salesforce host).'),
      list.map((attribute, index) => {
        const base = `config.requiredAttributes.${index}`;
        const bind = (key) => ({ path: `${base}.${key}`, get: () => attribute[key], set: (v) => (attribute[key] = v), onChange: () => this.markDirty() });
        return h(
          'div',
          { class: 'row-card', 'data-path': base },
          h(
            'div',
            { class: 'grid-4' },
            inputField(this.form, { label: 'Key', ...bind('key') }),
            inputField(this.form, { label: 'Label', ...bind('label') }),
            inputField(this.form, { label: 'Description', ...bind('description') }),
            inputField(this.form, { label: 'Pattern', ...bind('pattern'), hint: 'A regular expression' }),
          ),
          h('button', { type: 'button', class: 'button button-quiet small', onclick: () => (list.splice(index, 1), rerender()) }, `Remove attribute ${index + 1}`),
        );
      }),
      h('button', { type: 'button', class: 'button button-quiet', onclick: () => (list.push({ key: '', label: '' }), rerender()) }, 'Add attribute'),
    );
  }

  basicSection() {
    const c = this.draft.config;
    return card(
      'Basic Auth',
      'The end user enters a username and a password; you choose what the form calls them.',
      h('div', { class: 'grid-2' }, inputField(this.form, { label: 'Username label', ...this.bind(c, 'usernameLabel') }), inputField(this.form, { label: 'Password label', ...this.bind(c, 'passwordLabel') })),
    );
  }

  bearerSection() {
    const c = this.draft.config;
    return card('Bearer Token', 'The end user pastes a token, sent as Authorization: Bearer <token>.', inputField(this.form, { label: 'Label on the connect form', ...this.bind(c, 'label'), placeholder: 'Personal access token' }));
  }

  apiKeySection() {
    const c = this.draft.config;
    const rerender = () => {
      if (c.placement === 'query') {
        delete c.headerName;
        delete c.prefix;
      } else delete c.queryParam;
      const wasDirty = this.dirty;
      clear(this.sections, this.generalSection(), ...this.modeSections());
      this.markDirty(wasDirty || true);
    };
    return card(
      'API Key',
      'The end user pastes an API key. A header is preferable: query strings end up in logs.',
      inputField(this.form, { label: 'Label on the connect form', ...this.bind(c, 'label'), placeholder: 'API key' }),
      selectField(this.form, { label: 'Where the key goes', ...this.bind(c, 'placement'), options: [['header', 'Header'], ['query', 'Query parameter']], onChange: rerender }),
      c.placement === 'query'
        ? inputField(this.form, { label: 'Query parameter', ...this.bind(c, 'queryParam'), placeholder: 'api_key' })
        : h('div', { class: 'grid-2' }, inputField(this.form, { label: 'Header name', ...this.bind(c, 'headerName'), placeholder: 'X-API-Key' }), inputField(this.form, { label: 'Prefix', ...this.bind(c, 'prefix'), hint: 'Put before the key with a space, e.g. Token' })),
    );
  }

  customSections() {
    const c = this.draft.config;
    c.fields ??= [];
    this.fieldSecrets ??= new WeakMap();
    const rerender = () => {
      clear(this.sections, this.generalSection(), ...this.modeSections());
      this.markDirty(true);
    };
    const fields = card(
      'Custom Input fields',
      'Shown on the connect form in this order. Password fields are secrets: masked when typed, stored encrypted.',
      h(
        'div',
        { class: 'field-list', id: 'custom-fields', 'data-path': 'config.fields' },
        c.fields.length === 0 ? h('p', { class: 'empty' }, 'No fields yet. A Custom Input connector needs at least one field to be activated.') : null,
        c.fields.map((field, index) => this.customFieldEditor(c, field, index, rerender)),
      ),
      h('button', { type: 'button', class: 'button', id: 'add-field', onclick: () => (c.fields.push({ key: '', label: '', type: 'text', required: false, hidden: false, disabled: false }), rerender(), this.focusLastField()) }, 'Add field'),
    );
    // `config.fields` errors (e.g. none at activation) land beside the list.
    const listSlot = h('p', { class: 'field-error', hidden: true, id: 'fields-error' });
    fields.append(listSlot);
    this.form.register('config.fields', 'Custom Input fields', fields.querySelector('#add-field'), listSlot);

    const expiryKind = c.expiry?.lifetimeSeconds !== undefined ? 'lifetime' : c.expiry?.fromField !== undefined ? 'field' : 'none';
    const numberFields = c.fields.filter((f) => f.type === 'number' && f.key);
    const expiry = card(
      'Expiry',
      'When a credential entered on this form stops working.',
      selectField(this.form, {
        label: 'The credential expires',
        path: 'config.expiry',
        get: () => expiryKind,
        set: (value) => {
          if (value === 'none') delete c.expiry;
          else if (value === 'lifetime') c.expiry = { lifetimeSeconds: 3600 };
          else c.expiry = { fromField: c.fields.find((f) => f.type === 'number' && f.key)?.key ?? '' };
        },
        options: [
          ['none', 'Never (no expiry information)'],
          ['lifetime', 'After a fixed lifetime'],
          ['field', 'After the seconds given in a number field'],
        ],
        onChange: rerender,
      }),
      expiryKind === 'lifetime'
        ? inputField(this.form, { label: 'Lifetime (seconds)', path: 'config.expiry.lifetimeSeconds', get: () => c.expiry.lifetimeSeconds, set: (v) => (c.expiry.lifetimeSeconds = v), type: 'number', inputmode: 'numeric', onChange: () => this.markDirty() })
        : null,
      expiryKind === 'field'
        ? selectField(this.form, {
            label: 'Number field that carries the lifetime',
            path: 'config.expiry.fromField',
            get: () => c.expiry.fromField,
            set: (v) => (c.expiry.fromField = v),
            options: numberFields.length ? numberFields.map((f) => [f.key, `${f.label || f.key} (${f.key})`]) : [['', 'Add a number field first']],
            onChange: () => this.markDirty(),
          })
        : null,
    );
    return [fields, expiry];
  }

  focusLastField() {
    const inputs = this.sections.querySelectorAll('#custom-fields .row-card');
    inputs[inputs.length - 1]?.querySelector('input')?.focus();
  }

  customFieldEditor(config, field, index, rerender) {
    const base = `config.fields.${index}`;
    const f = this.form;
    const bind = (key, extra = {}) => ({ path: `${base}.${key}`, get: () => field[key], set: (v) => (field[key] = v), onChange: () => this.markDirty(), ...extra });
    const title = field.label || field.key || `Field ${index + 1}`;
    const move = (delta) => {
      const target = index + delta;
      if (target < 0 || target >= config.fields.length) return;
      config.fields.splice(index, 1);
      config.fields.splice(target, 0, field);
      rerender();
    };
    let defaultControl;
    if (field.type === 'password') {
      const isSet = typeof field.default === 'object' && field.default !== null ? Boolean(field.default.isSet) : false;
      defaultControl = secretField(f, {
        label: 'Default value',
        path: `${base}.default`,
        isSet,
        set: (v) => {
          if (v === undefined) this.fieldSecrets.delete(field);
          else this.fieldSecrets.set(field, v);
        },
        onChange: () => this.markDirty(),
        hint: 'Optional and write-only. Leave empty to keep the stored value.',
      });
    } else {
      defaultControl = inputField(f, { label: 'Default value', ...bind('default'), type: field.type === 'number' ? 'number' : 'text' });
    }
    return h(
      'fieldset',
      { class: 'row-card', 'data-path': base, 'data-field-key': field.key },
      h('legend', {}, `Field ${index + 1}: ${title}`),
      h(
        'div',
        { class: 'grid-3' },
        inputField(f, { label: 'Key', ...bind('key'), required: true, hint: 'Name in the credential, e.g. apiKey' }),
        inputField(f, { label: 'Label', ...bind('label'), required: true }),
        selectField(f, {
          label: 'Type',
          ...bind('type'),
          options: FIELD_TYPES,
          onChange: () => {
            delete field.default;
            this.fieldSecrets.delete(field);
            rerender();
          },
        }),
      ),
      h('div', { class: 'grid-2' }, inputField(f, { label: 'Description', ...bind('description'), hint: 'Shown under the input on the connect form.' }), defaultControl),
      h(
        'div',
        { class: 'checks' },
        checkboxField(f, { label: 'Required', ...bind('required') }),
        checkboxField(f, { label: 'Hidden (the default applies)', ...bind('hidden') }),
        checkboxField(f, { label: 'Disabled (shown, not editable)', ...bind('disabled') }),
      ),
      h(
        'div',
        { class: 'row-actions' },
        h('button', { type: 'button', class: 'button button-quiet small', disabled: index === 0, onclick: () => move(-1), 'aria-label': `Move field ${index + 1} up` }, 'Move up'),
        h('button', { type: 'button', class: 'button button-quiet small', disabled: index === config.fields.length - 1, onclick: () => move(1), 'aria-label': `Move field ${index + 1} down` }, 'Move down'),
        h('button', { type: 'button', class: 'button button-danger small', onclick: () => (config.fields.splice(index, 1), rerender()), 'aria-label': `Remove field ${index + 1}` }, 'Remove'),
      ),
    );
  }

  /** The configuration to send: secrets only when typed (omitted ones keep their stored values). */
  configToSend() {
    const config = structuredClone(this.draft.config);
    switch (config.mode) {
      case 'OAUTH2': {
        delete config.clientSecret;
        if (this.secrets.clientSecret !== undefined) config.clientSecret = this.secrets.clientSecret;
        if (config.tokenResponsePaths) {
          for (const [key, value] of Object.entries(config.tokenResponsePaths)) if (value === undefined || value === '') delete config.tokenResponsePaths[key];
          if (Object.keys(config.tokenResponsePaths).length === 0) delete config.tokenResponsePaths;
        }
        config.requiredAttributes = (config.requiredAttributes ?? []).map(prune);
        return prune(config);
      }
      case 'CUSTOM': {
        config.fields = this.draft.config.fields.map((field) => {
          const copy = prune({ ...field });
          if (field.type === 'password') {
            delete copy.default;
            const typed = this.fieldSecrets?.get(field);
            if (typed !== undefined) copy.default = typed;
          }
          return copy;
        });
        return prune(config);
      }
      default:
        return prune(config);
    }
  }

  async save({ quiet = false } = {}) {
    this.saveSummary.hidden = true;
    this.activationErrors.hidden = true;
    this.form.clearAll();
    const body = { name: this.draft.name, slug: this.draft.slug, config: this.configToSend() };
    const buttons = main.querySelectorAll('#save-connector');
    buttons.forEach((b) => (b.disabled = true));
    try {
      const updated = await api(`/v1/connectors/${this.connector.id}`, { method: 'PATCH', body });
      this.load(updated);
      this.fieldSecrets = new WeakMap();
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
    this.fieldSecrets = new WeakMap();
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

  async renderConnections() {
    const c = this.connector;
    const body = h('div', { role: 'status', 'aria-live': 'polite' }, h('p', { class: 'muted' }, 'Loading…'));
    const refresh = h('button', { type: 'button', class: 'button button-quiet small', id: 'refresh-connections', onclick: () => void this.renderConnections() }, 'Refresh');
    clear(
      this.connections,
      h('div', { class: 'section-head' }, h('h2', { id: 'connections-heading' }, 'Connections'), refresh),
      body,
      c.status === 'active' ? this.trySection() : h('p', { class: 'hint' }, 'Enable activation to let end users connect.'),
    );
    try {
      const page = await api(`/v1/connections?connectorId=${encodeURIComponent(c.id)}&limit=100`);
      if (page.items.length === 0) {
        clear(body, h('p', { class: 'muted' }, 'No connections yet.'));
        return;
      }
      clear(
        body,
        h(
          'table',
          { class: 'table', id: 'connection-table' },
          h('thead', {}, h('tr', {}, ['End user', 'Status', 'Expires', 'Connected'].map((t) => h('th', { scope: 'col' }, t)))),
          h(
            'tbody',
            {},
            page.items.map((item) =>
              h(
                'tr',
                { 'data-connection-id': item.connectionId, 'data-end-user-id': item.endUserId },
                h('td', {}, item.endUserId),
                h('td', {}, h('span', { class: `badge badge-${item.status}` }, item.status.replace('_', ' '))),
                h('td', {}, when(item.expiresAt)),
                h('td', {}, when(item.createdAt)),
              ),
            ),
          ),
        ),
        h('p', { class: 'muted small' }, `${page.total} connection${page.total === 1 ? '' : 's'}`),
      );
    } catch (error) {
      clear(body, error instanceof ApiError && error.status === 403 ? h('p', { class: 'muted' }, 'This API key cannot list connections (needs connect or credentials:read).') : banner(error));
    }
  }

  /** Opens a connect session for an end user and links to the connect dialog. */
  trySection() {
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
        const session = await api('/v1/connect-sessions', { method: 'POST', body: { connectorId: this.connector.id, endUserId: input.value.trim() } });
        const link = connectDialogLink(session);
        clear(result, h('p', {}, 'Session opened. ', h('a', { href: link, target: '_blank', rel: 'noopener noreferrer', id: 'open-connect-dialog' }, 'Open the Connect dialog'), h('span', { class: 'muted small' }, ` (expires ${new Date(session.expiresAt).toLocaleTimeString()})`)));
      } catch (error) {
        clear(result, banner(error));
      }
    });
    return h('div', { class: 'subsection' }, h('h3', {}, 'Try it'), formElement, result);
  }
}

/** The dialog takes the session token in the fragment, which is never sent to a server; it asks the gateway for the sign-in address. */
export function connectDialogLink(session) {
  return `connect.html#${new URLSearchParams({ session: session.sessionToken })}`;
}

function card(title, about, ...children) {
  const headingId = uid('h');
  return h('section', { class: 'card', 'aria-labelledby': headingId }, h('h2', { id: headingId }, title), about ? h('p', { class: 'muted' }, about) : null, ...children);
}

// ---------------------------------------------------------------------------------------------
// routing: #/, #/new, #/connectors/<id>

function route() {
  renderAccount();
  if (!apiKey) {
    renderSignIn();
    return;
  }
  const hash = location.hash || '#/';
  const match = /^#\/connectors\/([0-9a-fA-F-]{36})$/.exec(hash);
  if (match) void renderEditor(match[1]);
  else if (hash === '#/new') void renderNew();
  else void renderList();
}

window.addEventListener('hashchange', route);
route();
