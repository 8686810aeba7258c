import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { KEYRING } from '@cb/service-runtime';
import type { Keyring } from '@cb/vault-crypto';

/**
 * An endpoint's signing secret: `whsec_` and 24 random bytes in base64, as Standard Webhooks gives
 * them, sealed at rest with the service's keyring (the AAD names the endpoint) and shown only in the
 * answers that create or rotate it.
 * @see https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md#signature-scheme
 */
@Injectable()
export class WebhookSecrets {
  constructor(@Inject(KEYRING) private readonly keyring: Keyring) {}

  generate(): string {
    return `whsec_${randomBytes(24).toString('base64')}`;
  }

  seal(endpointId: string, secret: string): string {
    return this.keyring.seal(secret, context(endpointId));
  }

  open(endpointId: string, sealed: string): string {
    return this.keyring.open(sealed, context(endpointId));
  }

  /** The secrets that sign now: the current one, and the previous one until its grace period ends. */
  signingSecrets(endpointId: string, sealed: { sealedSecret: string; previousSealedSecret: string | null; previousSecretExpiresAt: Date | null }, now = new Date()): string[] {
    const secrets = [this.keyring.open(sealed.sealedSecret, context(endpointId))];
    if (sealed.previousSealedSecret !== null && sealed.previousSecretExpiresAt !== null && sealed.previousSecretExpiresAt > now) {
      secrets.push(this.keyring.open(sealed.previousSealedSecret, context(endpointId)));
    }
    return secrets;
  }
}

function context(endpointId: string): string {
  return `webhook_endpoints:${endpointId}:secret`;
}
