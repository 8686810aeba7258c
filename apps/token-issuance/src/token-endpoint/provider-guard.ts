import type { TokenError } from '@cb/oauth-client';

export interface ProviderGuardSettings {
  /** Calls to one connector's provider at once, per instance. */
  perConnector: number;
  /** Calls for one workspace's connectors at once, per instance. */
  perWorkspace: number;
  /** How long a call waits for a free slot before it fails with `provider_busy`. */
  queueTimeoutMs: number;
  /** Failures in a row that open a connector's circuit. */
  circuitFailures: number;
  /** How long an open circuit refuses calls before one trial call may go. */
  circuitOpenMs: number;
}

export const PROVIDER_GUARD_CODES = { busy: 'provider_busy', circuitOpen: 'circuit_open' } as const;

/** How a finished call counts for the circuit: a provider that answers sensibly is working, even with invalid_grant. */
export type CallVerdict = 'working' | 'failing';

/** A counting semaphore whose waiters give up after a deadline. */
class Slots {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly size: number) {}

  get idle(): boolean {
    return this.used === 0 && this.waiters.length === 0;
  }

  async acquire(timeoutMs: number): Promise<boolean> {
    if (this.used < this.size) {
      this.used++;
      return true;
    }
    return new Promise<boolean>((resolve) => {
      const granted = (): void => {
        clearTimeout(timer);
        this.used++;
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(granted), 1);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(granted);
    });
  }

  release(): void {
    this.used--;
    this.waiters.shift()?.();
  }
}

interface Circuit {
  failures: number;
  openUntil: number;
  trialRunning: boolean;
}

/**
 * Keeps one tenant's slow or failing provider from taking the capacity every tenant shares: at most
 * `perConnector` calls to one connector and `perWorkspace` calls for one workspace run at once (the
 * rest wait up to `queueTimeoutMs`, then fail with `provider_busy`), and after `circuitFailures`
 * failing calls in a row a connector's circuit opens: its calls fail at once with `circuit_open`
 * for `circuitOpenMs`, then one trial call decides whether it closes again. Both failures are
 * retriable token errors, so callers treat them like a provider's 503. Limits are per instance.
 */
export class ProviderGuard {
  private readonly connectorSlots = new Map<string, Slots>();
  private readonly workspaceSlots = new Map<string, Slots>();
  private readonly circuits = new Map<string, Circuit>();

  constructor(
    private readonly settings: ProviderGuardSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** True while the connector's circuit refuses calls. */
  isOpen(connectorId: string): boolean {
    const circuit = this.circuits.get(connectorId);
    return circuit !== undefined && circuit.openUntil > this.now();
  }

  async run<T>(connectorId: string, workspaceId: string, call: () => Promise<T>, verdict: (result: T) => CallVerdict): Promise<T | TokenError> {
    const circuit = this.circuit(connectorId);
    const now = this.now();
    if (circuit.openUntil > now || (circuit.failures >= this.settings.circuitFailures && circuit.trialRunning)) {
      return refused(PROVIDER_GUARD_CODES.circuitOpen, 'the connector failed repeatedly; its calls pause', Math.max(1, Math.ceil((circuit.openUntil - now) / 1000)));
    }
    const trial = circuit.failures >= this.settings.circuitFailures;
    if (trial) circuit.trialRunning = true;
    const slots = [this.slots(this.connectorSlots, connectorId, this.settings.perConnector), this.slots(this.workspaceSlots, workspaceId, this.settings.perWorkspace)];
    const held: Slots[] = [];
    try {
      for (const slot of slots) {
        if (!(await slot.acquire(this.settings.queueTimeoutMs))) return refused(PROVIDER_GUARD_CODES.busy, 'too many calls to this provider are under way', 1);
        held.push(slot);
      }
      let result: T;
      try {
        result = await call();
      } catch (error) {
        this.record(connectorId, 'failing');
        throw error;
      }
      this.record(connectorId, verdict(result));
      return result;
    } finally {
      if (trial) this.circuit(connectorId).trialRunning = false;
      for (const slot of held) slot.release();
      this.forgetIdle(connectorId, workspaceId);
    }
  }

  private circuit(connectorId: string): Circuit {
    let circuit = this.circuits.get(connectorId);
    if (!circuit) this.circuits.set(connectorId, (circuit = { failures: 0, openUntil: 0, trialRunning: false }));
    return circuit;
  }

  private record(connectorId: string, verdict: CallVerdict): void {
    const circuit = this.circuit(connectorId);
    if (verdict === 'working') {
      circuit.failures = 0;
      circuit.openUntil = 0;
      return;
    }
    circuit.failures++;
    if (circuit.failures >= this.settings.circuitFailures) circuit.openUntil = this.now() + this.settings.circuitOpenMs;
  }

  private slots(map: Map<string, Slots>, key: string, size: number): Slots {
    let slots = map.get(key);
    if (!slots) map.set(key, (slots = new Slots(size)));
    return slots;
  }

  private forgetIdle(connectorId: string, workspaceId: string): void {
    if (this.workspaceSlots.get(workspaceId)?.idle) this.workspaceSlots.delete(workspaceId);
    if (!this.connectorSlots.get(connectorId)?.idle) return;
    this.connectorSlots.delete(connectorId);
    if (this.circuits.get(connectorId)?.failures === 0) this.circuits.delete(connectorId);
  }
}

function refused(code: string, description: string, retryAfterSeconds: number): TokenError {
  return { ok: false, code, description, retriable: true, reconnectRequired: false, ambiguous: false, retryAfterSeconds };
}
