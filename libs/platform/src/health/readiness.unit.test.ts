import type { Response } from 'express';
import { HealthController, ReadinessCheck } from './readiness';

/** What `GET /health/ready` would send, captured without an HTTP server. */
async function probe(checks: ReadinessCheck[]): Promise<{ status: number; body: unknown }> {
  const sent: { status: number; body: unknown } = { status: 0, body: undefined };
  const response = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    json(body: unknown) {
      sent.body = body;
      return this;
    },
  } as unknown as Response;
  await new HealthController(checks).ready(response);
  return sent;
}

describe('GET /health/ready', () => {
  it('names a failing check but never echoes its error (hosts, users, database names stay in the log)', async () => {
    const leaky = 'password authentication failed for user "cb_token_issuance" at db-primary.internal:5432';
    const answer = await probe([
      { name: 'database', check: () => Promise.reject(new Error(leaky)) },
      { name: 'kafka', check: () => Promise.resolve() },
    ]);
    expect(answer).toEqual({ status: 503, body: { status: 'not_ready', checks: { database: 'unavailable', kafka: 'ok' } } });
    expect(JSON.stringify(answer.body)).not.toContain('cb_token_issuance');
  });

  it('says timed_out for a check that does not answer within 2 s', async () => {
    jest.useFakeTimers();
    try {
      const pending = probe([{ name: 'kafka', check: () => new Promise<void>(() => undefined) }]);
      await jest.advanceTimersByTimeAsync(2000);
      expect(await pending).toEqual({ status: 503, body: { status: 'not_ready', checks: { kafka: 'timed_out' } } });
    } finally {
      jest.useRealTimers();
    }
  });
});
