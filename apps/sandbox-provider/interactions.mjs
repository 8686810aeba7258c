/**
 * Login and consent interactions (what oidc-provider redirects the browser to at /interaction/:uid).
 *
 *   GET  /interaction/:uid          -> login page or consent page, depending on the pending prompt
 *   POST /interaction/:uid/login    -> username + password
 *   POST /interaction/:uid/confirm  -> decision=allow | decision=deny
 */
import { timingSafeEqual } from 'node:crypto';

import { INTERACTION_PREFIX } from './provider.mjs';
import {
  HttpError, log, readForm, sendHtml,
} from './http-util.mjs';
import { consentPage, errorPage, loginPage } from './views.mjs';

const DEFAULT_PASSWORD = 'password';

function sameString(a, b) {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function checkPassword(users, username, password) {
  const user = users.get(username);
  return sameString(password, user ? user.password : DEFAULT_PASSWORD);
}

async function details(provider, req, res, uid) {
  let interaction;
  try {
    interaction = await provider.interactionDetails(req, res);
  } catch (err) {
    throw new HttpError(400, 'invalid_request', `interaction not found or expired (${err.error_description ?? err.message}); start the authorization again`);
  }
  if (interaction.uid !== uid) {
    throw new HttpError(400, 'invalid_request', 'interaction mismatch; start the authorization again');
  }
  return interaction;
}

function renderPrompt(res, config, interaction, extra = {}) {
  const { uid, prompt, params } = interaction;
  const action = `${config.basePath}${INTERACTION_PREFIX}${uid}`;
  if (prompt.name === 'login') {
    sendHtml(res, extra.error ? 401 : 200, loginPage({ action, clientId: params.client_id, ...extra }));
    return;
  }
  if (prompt.name === 'consent') {
    const scopes = [...new Set(String(params.scope ?? '').split(' ').filter(Boolean))];
    sendHtml(res, 200, consentPage({
      action,
      clientId: params.client_id,
      accountId: interaction.session?.accountId ?? '',
      scopes,
      resourceScopes: prompt.details.missingResourceScopes ?? {},
    }));
    return;
  }
  throw new HttpError(400, 'invalid_request', `unsupported prompt ${prompt.name}`);
}

async function submitLogin(provider, config, req, res, interaction) {
  if (interaction.prompt.name !== 'login') {
    throw new HttpError(400, 'invalid_request', 'this interaction is not waiting for a login');
  }
  const form = await readForm(req);
  const username = (form.get('username') ?? '').trim();
  const password = form.get('password') ?? '';
  if (!username || !checkPassword(config.users, username, password)) {
    log({ msg: 'login failed', username });
    renderPrompt(res, config, interaction, { username, error: 'Wrong username or password.' });
    return;
  }
  log({ msg: 'login succeeded', accountId: username, client_id: interaction.params.client_id });
  await provider.interactionFinished(req, res, { login: { accountId: username } }, {
    mergeWithLastSubmission: false,
  });
}

async function submitConsent(provider, req, res, interaction) {
  if (interaction.prompt.name !== 'consent') {
    throw new HttpError(400, 'invalid_request', 'this interaction is not waiting for consent');
  }
  const form = await readForm(req);
  const decision = form.get('decision');
  const { params, prompt: { details: missing }, session } = interaction;

  if (decision === 'deny') {
    log({ msg: 'consent denied', accountId: session?.accountId, client_id: params.client_id });
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User denied the authorization request',
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (decision !== 'allow') {
    throw new HttpError(400, 'invalid_request', 'decision must be allow or deny');
  }

  const grant = interaction.grantId
    ? await provider.Grant.find(interaction.grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (!grant) throw new HttpError(400, 'invalid_request', 'grant expired; start the authorization again');

  // missingOIDCScope includes offline_access when the client requested it together with
  // prompt=consent; granting it here is what makes the token endpoint issue a refresh token.
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  if (missing.missingResourceScopes) {
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
  }
  const grantId = await grant.save();
  log({
    msg: 'consent granted', accountId: session.accountId, client_id: params.client_id, scope: params.scope,
  });

  const consent = interaction.grantId ? {} : { grantId };
  await provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
}

/** Handles /interaction/* requests. Returns false when the path is not an interaction route. */
export async function handleInteractionRequest(provider, config, req, res, pathname) {
  if (!pathname.startsWith(INTERACTION_PREFIX)) return false;
  const [uid, action, ...rest] = pathname.slice(INTERACTION_PREFIX.length).split('/');
  if (!uid || rest.length) return false;

  try {
    if (req.method === 'GET' && action === undefined) {
      renderPrompt(res, config, await details(provider, req, res, uid));
      return true;
    }
    if (req.method === 'POST' && action === 'login') {
      await submitLogin(provider, config, req, res, await details(provider, req, res, uid));
      return true;
    }
    if (req.method === 'POST' && action === 'confirm') {
      await submitConsent(provider, req, res, await details(provider, req, res, uid));
      return true;
    }
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    sendHtml(res, err.status, errorPage({ error: err.error, description: err.description }));
    return true;
  }
  return false;
}
