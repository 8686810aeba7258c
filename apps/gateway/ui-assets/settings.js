// Connector settings: sign in with a workspace API key (kept in sessionStorage only), list, create,
// edit every auth mode, switch activation on and off, and see why activation was refused; watch
// the webhook endpoints and their deliveries.
// The screens and their parts are in settings/; this module routes between them.
import { renderAccount } from './settings/components/account-menu.js';
import { renderEditor } from './settings/connector-editor.js';
import { renderList } from './settings/connector-list.js';
import { renderNew } from './settings/new-connector.js';
import { onSignOut, signedInKey } from './settings/session.js';
import { renderSignIn } from './settings/sign-in.js';
import { renderWebhookEndpoint, renderWebhooks } from './settings/webhooks.js';

/** #/, #/new, #/connectors/<id>, #/webhooks, #/webhooks/<id> */
function route() {
  renderAccount();
  if (!signedInKey()) {
    renderSignIn(undefined, route);
    return;
  }
  const hash = location.hash || '#/';
  const match = /^#\/connectors\/([0-9a-fA-F-]{36})$/.exec(hash);
  const webhook = /^#\/webhooks\/([0-9a-fA-F-]{36})$/.exec(hash);
  if (match) void renderEditor(match[1]);
  else if (webhook) void renderWebhookEndpoint(webhook[1]);
  else if (hash === '#/webhooks') void renderWebhooks();
  else if (hash === '#/new') void renderNew();
  else void renderList();
}

onSignOut((message) => {
  if (location.hash !== '#/') history.replaceState(null, '', '#/');
  renderSignIn(message, route);
});
window.addEventListener('hashchange', route);
route();
