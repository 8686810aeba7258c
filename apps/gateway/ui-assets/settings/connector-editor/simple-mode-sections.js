// The settings of the modes where the end user types the credential: Basic, Bearer and API key.
import { h } from '../../dom.js';
import { inputField, selectField } from '../../form.js';
import { card } from '../components/card.js';

export function basicSection(editor) {
  const c = editor.draft.config;
  return card(
    'Basic Auth',
    'The end user enters a username and a password; you choose what the form calls them.',
    h('div', { class: 'grid-2' }, inputField(editor.form, { label: 'Username label', ...editor.bind(c, 'usernameLabel') }), inputField(editor.form, { label: 'Password label', ...editor.bind(c, 'passwordLabel') })),
  );
}

export function bearerSection(editor) {
  const c = editor.draft.config;
  return card('Bearer Token', 'The end user pastes a token, sent as Authorization: Bearer <token>.', inputField(editor.form, { label: 'Label on the connect form', ...editor.bind(c, 'label'), placeholder: 'Personal access token' }));
}

export function apiKeySection(editor) {
  const c = editor.draft.config;
  const f = editor.form;
  // Only the settings of the chosen placement are sent.
  const changePlacement = () => {
    if (c.placement === 'query') {
      delete c.headerName;
      delete c.prefix;
    } else delete c.queryParam;
    editor.redrawSections();
  };
  return card(
    'API Key',
    'The end user pastes an API key. A header is preferable: query strings end up in logs.',
    inputField(f, { label: 'Label on the connect form', ...editor.bind(c, 'label'), placeholder: 'API key' }),
    selectField(f, { label: 'Where the key goes', ...editor.bind(c, 'placement'), options: [['header', 'Header'], ['query', 'Query parameter']], onChange: changePlacement }),
    c.placement === 'query'
      ? inputField(f, { label: 'Query parameter', ...editor.bind(c, 'queryParam'), placeholder: 'api_key' })
      : h('div', { class: 'grid-2' }, inputField(f, { label: 'Header name', ...editor.bind(c, 'headerName'), placeholder: 'X-API-Key' }), inputField(f, { label: 'Prefix', ...editor.bind(c, 'prefix'), hint: 'Put before the key with a space, e.g. Token' })),
  );
}
