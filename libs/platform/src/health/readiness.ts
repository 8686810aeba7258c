import { Controller, Get, HttpCode, Inject, Logger, Res } from '@nestjs/common';
import type { Response } from 'express';

/** A dependency the service cannot work without; `check` rejects when it is unreachable. */
export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
const CHECK_TIMEOUT_MS = 2000;
const logger = new Logger('Readiness');

/** What a public probe learns about a check: never the error's own text (hosts, database and user names). */
export type CheckOutcome = 'ok' | 'unavailable' | 'timed_out';

@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() response: Response): Promise<void> {
    const results = await Promise.all(this.checks.map(async (c) => [c.name, await outcome(c)] as const));
    const ready = results.every(([, result]) => result === 'ok');
    response.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: Object.fromEntries(results) });
  }
}

/** The error itself goes to the service's log, where operators look; the answer names only the outcome. */
async function outcome(check: ReadinessCheck): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Error('timed out');
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timedOut), CHECK_TIMEOUT_MS);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return 'ok';
  } catch (error) {
    logger.warn({ check: check.name, err: (error as Error).message }, 'readiness check failed');
    return error === timedOut ? 'timed_out' : 'unavailable';
  } finally {
    clearTimeout(timer);
  }
}
