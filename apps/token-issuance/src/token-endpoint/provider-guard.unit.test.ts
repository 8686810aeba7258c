import { PROVIDER_GUARD_CODES, ProviderGuard, type ProviderGuardSettings } from './provider-guard';

const SETTINGS: ProviderGuardSettings = { perConnector: 2, perWorkspace: 3, queueTimeoutMs: 50, circuitFailures: 3, circuitOpenMs: 1000 };

type Answer = { ok: boolean };
const verdict = (answer: Answer) => (answer.ok ? ('working' as const) : ('failing' as const));

/** A call that stays open until released, so that tests decide when providers answer. */
function pending(): { call: () => Promise<Answer>; release: (answer: Answer) => void; started: () => boolean } {
  let resolve: (answer: Answer) => void = () => undefined;
  let started = false;
  const promise = new Promise<Answer>((r) => (resolve = r));
  return {
    call: () => {
      started = true;
      return promise;
    },
    release: (answer) => resolve(answer),
    started: () => started,
  };
}

function codeOf(result: unknown): string | undefined {
  return (result as { code?: string }).code;
}

describe('ProviderGuard', () => {
  it('runs at most perConnector calls to one connector at once; the next waits for a free slot', async () => {
    const guard = new ProviderGuard({ ...SETTINGS, queueTimeoutMs: 10_000 });
    const calls = [pending(), pending(), pending()];
    const results = calls.map((c) => guard.run('connector-a', 'workspace-1', c.call, verdict));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls.map((c) => c.started())).toEqual([true, true, false]);
    calls[0]?.release({ ok: true });
    await results[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls[2]?.started()).toBe(true);
    calls[1]?.release({ ok: true });
    calls[2]?.release({ ok: true });
    expect(await Promise.all(results)).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
  });

  it('answers provider_busy, without calling, when no slot frees up within the queue timeout', async () => {
    const guard = new ProviderGuard(SETTINGS);
    const hanging = [pending(), pending()];
    const running = hanging.map((c) => guard.run('connector-a', 'workspace-1', c.call, verdict));
    const queued = pending();
    const result = await guard.run('connector-a', 'workspace-1', queued.call, verdict);
    expect(codeOf(result)).toBe(PROVIDER_GUARD_CODES.busy);
    expect(result).toMatchObject({ ok: false, retriable: true, reconnectRequired: false });
    expect(queued.started()).toBe(false);
    hanging.forEach((c) => c.release({ ok: true }));
    await Promise.all(running);
  });

  it('caps one workspace across its connectors, and leaves other workspaces alone', async () => {
    const guard = new ProviderGuard(SETTINGS);
    const hanging = [pending(), pending(), pending()];
    const running = hanging.map((c, i) => guard.run(`connector-${i}`, 'workspace-1', c.call, verdict));
    const sameWorkspace = pending();
    expect(codeOf(await guard.run('connector-9', 'workspace-1', sameWorkspace.call, verdict))).toBe(PROVIDER_GUARD_CODES.busy);
    expect(await guard.run('connector-x', 'workspace-2', () => Promise.resolve({ ok: true }), verdict)).toEqual({ ok: true });
    hanging.forEach((c) => c.release({ ok: true }));
    await Promise.all(running);
  });

  it('opens the circuit after circuitFailures failures in a row, refuses calls while open, then lets one trial decide', async () => {
    let now = 0;
    const guard = new ProviderGuard(SETTINGS, () => now);
    let sent = 0;
    const failing = () => {
      sent++;
      return Promise.resolve({ ok: false });
    };
    for (let i = 0; i < 3; i++) expect(await guard.run('connector-a', 'workspace-1', failing, verdict)).toEqual({ ok: false });
    expect(guard.isOpen('connector-a')).toBe(true);
    const refused = await guard.run('connector-a', 'workspace-1', failing, verdict);
    expect(refused).toMatchObject({ ok: false, code: PROVIDER_GUARD_CODES.circuitOpen, retriable: true, retryAfterSeconds: 1 });
    expect(sent).toBe(3);
    // other connectors are not affected
    expect(await guard.run('connector-b', 'workspace-1', () => Promise.resolve({ ok: true }), verdict)).toEqual({ ok: true });

    now += 1000;
    const trial = pending();
    const trialResult = guard.run('connector-a', 'workspace-1', trial.call, verdict);
    expect(codeOf(await guard.run('connector-a', 'workspace-1', failing, verdict))).toBe(PROVIDER_GUARD_CODES.circuitOpen);
    trial.release({ ok: false });
    await trialResult;
    expect(guard.isOpen('connector-a')).toBe(true);

    now += 1000;
    expect(await guard.run('connector-a', 'workspace-1', () => Promise.resolve({ ok: true }), verdict)).toEqual({ ok: true });
    expect(guard.isOpen('connector-a')).toBe(false);
    expect(await guard.run('connector-a', 'workspace-1', () => Promise.resolve({ ok: true }), verdict)).toEqual({ ok: true });
  });

  it('a working answer between failures resets the count; a thrown call counts as a failure and is rethrown', async () => {
    const guard = new ProviderGuard(SETTINGS);
    const fail = () => Promise.resolve({ ok: false });
    await guard.run('connector-a', 'workspace-1', fail, verdict);
    await guard.run('connector-a', 'workspace-1', fail, verdict);
    await guard.run('connector-a', 'workspace-1', () => Promise.resolve({ ok: true }), verdict);
    await guard.run('connector-a', 'workspace-1', fail, verdict);
    await expect(guard.run('connector-a', 'workspace-1', () => Promise.reject(new Error('boom')), verdict)).rejects.toThrow('boom');
    expect(guard.isOpen('connector-a')).toBe(false);
    await guard.run('connector-a', 'workspace-1', fail, verdict);
    expect(guard.isOpen('connector-a')).toBe(true);
  });
});
