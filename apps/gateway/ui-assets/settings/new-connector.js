// The new connector screen (#/new): from a provider template, from a URL (discovery) or from scratch.
import { ApiError } from '../api.js';
import { clear, h } from '../dom.js';
import { FormErrors } from '../form.js';
import { banner } from './components/banner.js';
import { showSummary } from './components/error-summary.js';
import { toast } from './components/toast.js';
import { fromScratch } from './new-connector/from-scratch.js';
import { fromTemplate } from './new-connector/from-template.js';
import { fromUrl } from './new-connector/from-url.js';
import { breadcrumbs, focusHeading, main, setTitle } from './page.js';
import { api, onSignOut } from './session.js';

const FAILED = 'The connector could not be created:';

// Loaded once per sign-in: another key may belong to another workspace.
let templates;
onSignOut(() => (templates = undefined));

async function loadTemplates() {
  if (templates !== undefined) return templates;
  try {
    templates = (await api('/v1/connector-templates')).items;
  } catch (error) {
    templates = [];
    toast(`Templates could not be loaded: ${error.message}`, 'error');
  }
  return templates;
}

export async function renderNew() {
  setTitle('New connector');
  const form = new FormErrors();
  const summary = h('div', { class: 'summary', role: 'alert', hidden: true });
  const body = h('div');
  const sources = { template: fromTemplate(await loadTemplates()), url: fromUrl(), scratch: fromScratch() };
  let source = sources.template;

  const sourcePicker = h(
    'fieldset',
    { class: 'segmented' },
    h('legend', { class: 'visually-hidden' }, 'Start from'),
    [
      ['template', 'From a template'],
      ['url', 'From a URL'],
      ['scratch', 'From scratch'],
    ].map(([value, text]) => {
      const id = `source-${value}`;
      const radio = h('input', { type: 'radio', name: 'source', id, value, checked: source === sources[value] });
      radio.addEventListener('change', () => {
        source = sources[value];
        summary.hidden = true;
        source.render(body, form);
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
    const { problems, request } = source.request();
    if (problems) {
      showSummary(summary, form.show(problems), FAILED);
      return;
    }
    submit.disabled = true;
    try {
      const created = await api(source.endpoint ?? '/v1/connectors', { method: 'POST', body: request });
      toast(`Created ${created.name}. Complete its settings, then enable activation.`, 'success');
      location.hash = `#/connectors/${created.id}`;
    } catch (error) {
      if (error instanceof ApiError && error.fieldErrors.length) showSummary(summary, form.show(error.fieldErrors), FAILED);
      else clear(summary, banner(error)).hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  clear(main, breadcrumbs('New'), h('h1', {}, 'New connector'), formElement);
  sources.template.render(body, form);
  focusHeading();
}
