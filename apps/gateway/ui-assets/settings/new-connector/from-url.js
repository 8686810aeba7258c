// A new connector from one URL: the broker reads what the issuer or MCP server publishes, the user
// checks what was found and adds the client registered at the provider, or lets the broker register
// one where the server allows it.
import { clear, h, slugify } from '../../dom.js';
import { inputField, secretField } from '../../form.js';
import { banner } from '../components/banner.js';
import { api } from '../session.js';

export function fromUrl() {
  const draft = { url: undefined, found: undefined, clientId: undefined, clientSecret: undefined, name: undefined, slug: undefined };
  const bind = (key) => ({ path: key, get: () => draft[key], set: (v) => (draft[key] = v) });

  const render = (body, form) => {
    form.reset();
    const outcome = h('div', { class: 'discovery', 'aria-live': 'polite' });
    const lookUp = h('button', { type: 'button', class: 'button' }, 'Look up');
    lookUp.addEventListener('click', async () => {
      if (!draft.url) return;
      lookUp.disabled = true;
      clear(outcome, h('p', { class: 'muted' }, 'Reading what the server publishes…'));
      try {
        draft.found = await api('/v1/connectors/discover', { method: 'POST', body: { url: draft.url } });
        const host = new URL(draft.found.issuer).host;
        draft.name ??= draft.found.resource?.name ?? host;
        draft.slug ??= slugify(draft.name);
        render(body, form);
      } catch (error) {
        draft.found = undefined;
        clear(outcome, banner(error));
      } finally {
        lookUp.disabled = false;
      }
    });
    const urlField = inputField(form, { label: 'Issuer or MCP server URL', ...bind('url'), type: 'url', required: true, placeholder: 'https://login.example.com', hint: 'An OAuth or OpenID provider (its issuer or any of its URLs), or an MCP server.' });
    clear(body, h('div', { class: 'url-lookup' }, urlField, lookUp), outcome);
    if (!draft.found) return;
    clear(
      outcome,
      foundSummary(draft.found),
      h(
        'div',
        { class: 'grid-2' },
        inputField(form, {
          label: 'Client ID',
          ...bind('clientId'),
          required: !brokerCanRegister(draft.found),
          hint: brokerCanRegister(draft.found) ? 'Leave empty to let the broker register a client at the server.' : undefined,
        }),
        secretField(form, { label: 'Client secret', path: 'clientSecret', isSet: false, set: (v) => (draft.clientSecret = v) }),
      ),
      h('div', { class: 'grid-2' }, inputField(form, { label: 'Name', ...bind('name'), required: true }), inputField(form, { label: 'Slug', ...bind('slug'), required: true })),
    );
  };

  /** `{ problems }` to show beside the fields, or `{ request }` to POST. */
  const request = () => {
    const problems = [];
    if (!draft.found) problems.push({ path: 'url', message: 'Look up a URL first' });
    if (draft.found && !draft.clientId && !brokerCanRegister(draft.found)) problems.push({ path: 'clientId', message: 'Enter the client ID registered at the provider' });
    if (draft.found && !draft.name) problems.push({ path: 'name', message: 'Enter a name' });
    if (draft.found && !draft.slug) problems.push({ path: 'slug', message: 'Enter a slug' });
    if (problems.length) return { problems };
    const client = draft.clientId ? { clientId: draft.clientId, ...(draft.clientSecret ? { clientSecret: draft.clientSecret } : {}) } : {};
    return { request: { url: draft.url, name: draft.name, slug: draft.slug, ...client } };
  };

  return { render, request, endpoint: '/v1/connectors/from-url' };
}

function foundSummary(found) {
  const row = (term, value) => [h('dt', {}, term), h('dd', {}, value)];
  return h(
    'section',
    { class: 'card discovered', 'aria-label': 'What was found' },
    h('dl', {},
      row('Found', found.kind === 'protected_resource' ? 'An MCP server (protected resource)' : 'An authorization server'),
      row('Issuer', found.issuer),
      found.resource ? row('Resource', found.resource.url) : null,
      row('Scopes', (found.draft.scopes ?? []).join(' ') || 'none'),
      row('Client registration', brokerCanRegister(found) ? 'The broker can register a client at this server, or use one you registered.' : found.registration.reason),
    ),
    found.warnings.length ? h('ul', { class: 'warnings' }, found.warnings.map((w) => h('li', {}, w.message))) : null,
  );
}

/** The server accepts the workspace's client metadata document, or lets the broker register a client. */
function brokerCanRegister(found) {
  return found.registration.clientIdMetadataDocumentSupported || found.registration.dynamicRegistrationAvailable;
}
