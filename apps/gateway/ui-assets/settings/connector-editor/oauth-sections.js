// OAuth 2.0 settings: the authorization (login and consent) and the token exchange and refresh.
import { h } from '../../dom.js';
import { checkboxField, inputField, mapField, secretField, selectField } from '../../form.js';
import { card } from '../components/card.js';
import { joinScopes, splitScopes } from '../scopes.js';
import { requiredAttributesEditor } from './required-attributes.js';

const TOKEN_RESPONSE_PATHS = ['accessToken', 'refreshToken', 'expiresIn', 'scope', 'tokenType'];

export function oauthSections(editor) {
  editor.draft.config.tokenResponsePaths ??= {};
  return [authorizationSection(editor), tokenSection(editor)];
}

function authorizationSection(editor) {
  const c = editor.draft.config;
  const f = editor.form;
  const bind = (key, extra) => editor.bind(c, key, extra);
  return card(
    'Authorization',
    'The login redirect and consent at the provider: where to send the user and what to ask for.',
    c.grantType === 'client_credentials' ? h('p', { class: 'banner banner-info' }, 'Client credentials connectors have no user login; only the client ID and secret below are used from this section.') : null,
    inputField(f, { label: 'Authorization URL', ...bind('authorizationUrl'), type: 'url', placeholder: 'https://login.example.com/oauth2/authorize', hint: 'May contain {tenant} and {attr.<key>} placeholders.' }),
    h(
      'div',
      { class: 'grid-2' },
      inputField(f, { label: 'Client ID', ...bind('clientId') }),
      secretField(f, { label: 'Client secret', path: 'config.clientSecret', isSet: Boolean(c.clientSecret?.isSet), set: (v) => (editor.secrets.clientSecret = v), onChange: () => editor.markDirty(), hint: 'Write-only: stored encrypted, never shown. Leave empty to keep the stored one.' }),
    ),
    h(
      'div',
      { class: 'grid-3' },
      inputField(f, { label: 'Scopes', ...bind('scopes'), get: () => joinScopes(c.scopes), set: (v) => (c.scopes = splitScopes(v)), hint: 'Separated by spaces here.', className: 'field span-2' }),
      selectField(f, { label: 'Scope separator', ...bind('scopeSeparator'), options: [[' ', 'Space'], [',', 'Comma']], hint: 'How the provider wants them joined.' }),
    ),
    h(
      'div',
      { class: 'grid-2' },
      inputField(f, { label: 'Scope parameter', ...bind('scopeParam'), placeholder: 'scope' }),
      inputField(f, { label: 'Tenant ID', ...bind('tenantId'), hint: 'The {tenant} used when a connection names none, e.g. common.' }),
    ),
    mapField(f, { label: 'Authorization parameters', ...bind('authorizationParams'), hint: 'Extra query parameters, one per line: prompt=consent, access_type=offline' }),
    requiredAttributesEditor(editor, c),
  );
}

function tokenSection(editor) {
  const c = editor.draft.config;
  const f = editor.form;
  const bind = (key, extra) => editor.bind(c, key, extra);
  const paths = c.tokenResponsePaths;
  return card(
    'Token',
    'The code exchange and refresh: where tokens come from and how the client authenticates.',
    h(
      'div',
      { class: 'grid-2' },
      selectField(f, { label: 'Grant type', ...bind('grantType'), options: [['authorization_code', 'Authorization code (users connect)'], ['client_credentials', 'Client credentials (server to server)']], onChange: () => editor.redrawSections() }),
      selectField(f, { label: 'Refresh token grant type', ...bind('refreshGrantType'), options: [['refresh_token', 'Refresh token'], ['none', 'None (no refresh tokens)']] }),
    ),
    inputField(f, { label: 'Access token URL', ...bind('tokenUrl'), type: 'url', placeholder: 'https://login.example.com/oauth2/token' }),
    h(
      'div',
      { class: 'grid-2' },
      selectField(f, { label: 'Client authentication', ...bind('clientAuthMethod'), options: [['client_secret_basic', 'client_secret_basic (HTTP Basic)'], ['client_secret_post', 'client_secret_post (in the body)']] }),
      selectField(f, { label: 'Token request body', ...bind('tokenRequestFormat'), options: [['form', 'Form (application/x-www-form-urlencoded)'], ['json', 'JSON']] }),
    ),
    checkboxField(f, { label: 'Use PKCE (S256)', ...bind('pkce'), hint: 'Keep on unless the provider rejects it.' }),
    inputField(f, { label: 'Revocation URL', ...bind('revocationUrl'), type: 'url', hint: 'Optional: tokens are revoked here when a connection is removed.' }),
    h(
      'div',
      { class: 'grid-2' },
      inputField(f, { label: 'Refresh margin (seconds)', ...bind('refreshMarginSeconds'), type: 'number', inputmode: 'numeric', hint: 'Refresh this long before the access token expires.' }),
      inputField(f, { label: 'Refresh token lifetime (seconds)', ...bind('refreshTokenLifetimeSeconds'), type: 'number', inputmode: 'numeric', hint: 'Optional, from the provider documentation, e.g. 7776000 for 90 days.' }),
    ),
    h(
      'details',
      { class: 'advanced' },
      h('summary', {}, 'Token response paths and metadata'),
      h('p', { class: 'hint' }, 'For providers that nest tokens, e.g. Slack user tokens: authed_user.access_token.'),
      h(
        'div',
        { class: 'grid-3' },
        TOKEN_RESPONSE_PATHS.map((key) => inputField(f, { label: key, ...editor.bind(paths, key, { path: `config.tokenResponsePaths.${key}` }) })),
      ),
      mapField(f, { label: 'Metadata to keep', ...bind('metadataPaths'), hint: 'Kept with the credential, one per line: name=path, e.g. instance_url=instance_url' }),
    ),
  );
}
