// A new connector from a provider template: the template brings the provider's settings; for an
// OAuth 2.0 template the user adds the client ID and secret the provider issued, for the other modes
// nothing (the end user brings the credential when connecting).
import { clear, h } from '../../dom.js';
import { inputField, secretField, selectField } from '../../form.js';
import { MODES } from '../connector-labels.js';
import { prune } from '../prune.js';
import { joinScopes, splitScopes } from '../scopes.js';

const modeLabel = (mode) => MODES[mode]?.label ?? mode;

export function fromTemplate(templates) {
  const draft = { templateId: '', clientId: undefined, clientSecret: undefined, scopes: undefined, name: undefined, slug: undefined };
  const bind = (key) => ({ path: key, get: () => draft[key], set: (v) => (draft[key] = v) });
  const chosen = () => templates.find((t) => t.id === draft.templateId);

  const oauthFields = (form, template) => [
    h(
      'div',
      { class: 'grid-2' },
      inputField(form, { label: 'Client ID', ...bind('clientId'), required: true }),
      secretField(form, { label: 'Client secret', path: 'clientSecret', isSet: false, set: (v) => (draft.clientSecret = v) }),
    ),
    inputField(form, {
      label: 'Scopes',
      path: 'scopes',
      get: () => joinScopes(draft.scopes),
      set: (v) => (draft.scopes = splitScopes(v)),
      hint: template ? `Defaults: ${template.defaultScopes.join(' ') || 'none'}` : 'Separated by spaces.',
    }),
  ];

  const render = (body, form) => {
    form.reset();
    const template = chosen();
    const oauth = !template || template.mode === 'OAUTH2';
    clear(
      body,
      selectField(form, {
        label: 'Provider template',
        ...bind('templateId'),
        set: (value) => {
          draft.templateId = value;
          const picked = templates.find((t) => t.id === value);
          draft.scopes = picked?.mode === 'OAUTH2' ? [...picked.defaultScopes] : undefined;
        },
        options: [['', 'Choose a provider…'], ...templates.map((t) => [t.id, `${t.name} (${modeLabel(t.mode)})${t.overridden ? ', customised' : ''}`])],
        onChange: () => render(body, form),
      }),
      template
        ? h(
            'div',
            { class: 'hint' },
            h('p', {}, `${modeLabel(template.mode)}. ${template.notes}`),
            h('p', {}, 'Provider documentation: ', h('a', { href: template.docsUrl, target: '_blank', rel: 'noopener noreferrer' }, template.docsUrl)),
          )
        : null,
      oauth ? oauthFields(form, template) : h('p', { class: 'hint' }, 'Nothing more is needed here: the end user enters the credential when connecting.'),
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
    const template = chosen();
    const problems = [];
    if (!template) problems.push({ path: 'templateId', message: 'Choose a provider template' });
    if (template?.mode === 'OAUTH2' && !draft.clientId) problems.push({ path: 'clientId', message: 'Enter the client ID the provider gave you' });
    if (problems.length) return { problems };
    const client = template.mode === 'OAUTH2' ? { clientId: draft.clientId, clientSecret: draft.clientSecret, scopes: draft.scopes } : {};
    return { request: prune({ templateId: draft.templateId, ...client, name: draft.name, slug: draft.slug }) };
  };

  return { render, request };
}
