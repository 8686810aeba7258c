import { Inject, Injectable } from '@nestjs/common';
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { request as sendRequest } from 'undici';
import { DestinationRefusedError, outboundAgent } from '@cb/oauth-client';
import { WEBHOOK_SETTINGS, type WebhookSettings } from '../webhooks.config';
import { WebhookSecrets } from '../endpoints/webhook-secrets';
import type { AttemptResult, ClaimedDelivery } from './delivery-queue';

/** What is kept of an endpoint's answer: enough to see what went wrong, never a whole page. */
export const RESPONSE_SNIPPET_CHARS = 500;
const ERROR_CHARS = 300;

/**
 * One attempt of one delivery: signed with `standardwebhooks` (every secret in force, so both the
 * old and the new one verify during a rotation's grace period), POSTed through the outbound policy's
 * agent (addresses checked after DNS resolution), no redirect followed, bounded by the attempt timeout.
 */
@Injectable()
export class WebhookSender {
  constructor(
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
    private readonly secrets: WebhookSecrets,
  ) {}

  async send(delivery: ClaimedDelivery): Promise<AttemptResult> {
    const startedAt = new Date();
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    const { attemptTimeoutMs, outbound } = this.settings;
    const signature = this.secrets
      .signingSecrets(delivery.endpointId, delivery)
      .map((secret) => new Webhook(secret).sign(delivery.id, startedAt, delivery.body))
      .join(' ');
    try {
      const answer = await sendRequest(delivery.url, {
        method: 'POST',
        dispatcher: outboundAgent(outbound),
        headers: {
          'content-type': 'application/json',
          'user-agent': 'credential-broker-webhooks/1',
          'webhook-id': delivery.id,
          'webhook-timestamp': String(Math.floor(startedAt.getTime() / 1000)),
          'webhook-signature': signature,
        },
        body: delivery.body,
        headersTimeout: attemptTimeoutMs,
        bodyTimeout: attemptTimeoutMs,
        signal: AbortSignal.timeout(attemptTimeoutMs),
      });
      const snippet = await readSnippet(answer.body);
      const ok = answer.statusCode >= 200 && answer.statusCode < 300;
      return { outcome: ok ? 'succeeded' : 'http_error', statusCode: answer.statusCode, durationMs: elapsed(), responseSnippet: snippet, error: ok ? null : `the endpoint answered ${answer.statusCode}`, startedAt };
    } catch (error) {
      return { ...describeFailure(error, attemptTimeoutMs), statusCode: null, durationMs: elapsed(), responseSnippet: null, startedAt };
    }
  }
}

async function readSnippet(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of body) {
    chunks.push(chunk);
    bytes += chunk.length;
    if (bytes >= RESPONSE_SNIPPET_CHARS * 4) break;
  }
  body.destroy();
  return Buffer.concat(chunks).toString('utf8').slice(0, RESPONSE_SNIPPET_CHARS);
}

function describeFailure(error: unknown, timeoutMs: number): { outcome: AttemptResult['outcome']; error: string } {
  const failure = error as { name?: string; code?: string; message?: string; cause?: unknown };
  const cause = failure.cause as { code?: string; message?: string } | undefined;
  if (error instanceof DestinationRefusedError || failure.cause instanceof DestinationRefusedError) {
    return { outcome: 'refused', error: (failure.cause instanceof DestinationRefusedError ? failure.cause.message : (failure.message ?? '')).slice(0, ERROR_CHARS) };
  }
  const code = failure.code ?? cause?.code;
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { outcome: 'timeout', error: `no answer within ${timeoutMs} ms` };
  }
  return { outcome: 'network_error', error: `${code ?? 'error'}: ${failure.message ?? ''}`.slice(0, ERROR_CHARS) };
}
