/**
 * SANDBOX_REGISTERED_SECRET_TTL: the secrets of dynamically registered clients expire (RFC 7591
 * `client_secret_expires_at`) and an RFC 7592 update issues a new one, as servers that rotate
 * registered secrets do. oidc-provider itself issues secrets that never expire and keeps them on
 * update, so the sandbox rewrites the stored client after either answer; oidc-provider rejects a
 * client authenticating with an expired secret by itself.
 */
import { randomBytes } from 'node:crypto';

import { log } from './http-util.mjs';

export function expiringRegisteredSecrets(Adapter, ttlSeconds, control) {
  const clients = new Adapter('Client');
  return async (ctx, next) => {
    await next();
    const route = ctx.oidc?.route;
    const created = route === 'registration' && ctx.status === 201;
    const updated = route === 'client_update' && ctx.status === 200;
    if ((!created && !updated) || typeof ctx.body?.client_secret !== 'string') return;
    const clientId = ctx.body.client_id;
    const stored = await clients.find(clientId);
    if (!stored) return;
    const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
    const secret = updated ? randomBytes(32).toString('base64url') : stored.client_secret;
    await clients.upsert(clientId, { ...stored, client_secret: secret, client_secret_expires_at: expiresAt });
    Object.assign(ctx.body, { client_secret: secret, client_secret_expires_at: expiresAt });
    if (updated) control.stats.registeredSecretsRotated += 1;
    log({ msg: updated ? 'registered client secret rotated' : 'registered client secret expires', client_id: clientId, client_secret_expires_at: expiresAt });
  };
}
