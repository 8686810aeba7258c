// A new connector from a provider template: the template brings the provider's URLs, the user adds
// the client ID and secret the provider issued.
import { clear, h } from '../../dom.js';
import { inputField, secretField, selectField } from '../../form.js';
import { prune } from '../prune.js';
import { joinScopes, splitScopes } from '../scopes.js';

export function fromTemplate(templates) {
  const draft = { templateId: '', clientId: undefined, clientSecret: undefined, scopes: undefined, name: undefined, slug: undefined };
  const bind = (key) => ({ path: key, get: () => draft[key], set: (v) => (draft[key] = v) });

  const render = (body, form) => {
    form.reset();
    const template = templates.find((t) => t.id === draft.templateId);
    const scopesHint = template ? `Defaults: ${template.defaultScopes.join(' ') || 'none'}` : 'Separated by spaces.';
    clear(
      body,
      selectField(form, {
        label: 'Provider template',
        ...bind('templateId'),
        set: (value) => {
          draft.templateId = value;
          const chosen = templates.find((t) => t.id === value);
          draft.scopes = chosen ? [...chosen.defaultScopes] : undefined;
        },
        options: [['', 'Choose a provider…'], ...templates.map((t) => [t.id, `${t.name}`])],
        onChange: () => render(body, form),
      }),
      template ? h('p', { class: 'hint' }, 'Provider documentation: ', h('a', { href: template.docsUrl, target: '_blank', rel: 'noopener noreferrer' }, template.docsUrl)) : null,
      h(
        'div',
        { class: 'grid-2' },
        inputField(form, { label: 'Client ID', ...bind('clientId'), required: true }),
        secretField(form, { label: 'Client secret', path: 'clientSecret', isSet: false, set: (v) => (draft.clientSecret = v) }),
      ),
      inputField(form, { label: 'Scopes', path: 'scopes', get: () => joinScopes(draft.scopes), set: (v) => (draft.scopes = splitScopes(v)), hint: scopesHint }),
      h(
        'div',
        { class: 'grid-2' },
        inputField(form, { label: 'Name', ...bind('name'), hint: 'Defaults to the provider name.' }),
        inputField(form, { label: 'Slug', ...bind('slug'), hint: 'Lower case letters, digits and dashes; defaults to the template id.' }),
      ),
    );
  };

  /** `{ problems }` to show beside the fields, or `{ request }` to POST. */
  const request = () => {
    const problems = [];
    if (!draft.templateId) problems.push({ path: 'templateId', message: 'Choose a provider template' });
    if (!draft.clientId) problems.push({ path: 'clientId', message: 'Enter the client ID the provider gave you' });
    if (problems.length) return { problems };
    return { request: prune({ templateId: draft.templateId, clientId: draft.clientId, clientSecret: draft.clientSecret, scopes: draft.scopes, name: draft.name, slug: draft.slug }) };
  };

  return { render, request };
}
