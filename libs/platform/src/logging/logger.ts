import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';
import { logCorrelation } from '../tracing/log-correlation';

/** Field names that may hold a secret anywhere in a log object; pino replaces their values. */
const SECRET_FIELDS = [
  'clientSecret', 'client_secret', 'accessToken', 'access_token', 'refreshToken', 'refresh_token', 'idToken', 'id_token',
  'password', 'apiKey', 'api_key', 'token', 'code', 'codeVerifier', 'code_verifier', 'secret', 'secrets', 'authorization',
  'cookie', 'values', 'sealed',
];

export const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`), 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'];

export function createLogger(service: string, level: string, destination?: DestinationStream | string): Logger {
  const stream = typeof destination === 'string' ? pino.destination({ dest: destination, sync: true, mkdir: true }) : (destination ?? pino.destination({ sync: false }));
  // mixin: every line written while a request or a span is current names them (request_id, trace_id, span_id)
  return pino({ name: service, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service, pid: process.pid }, mixin: logCorrelation }, stream);
}

type Level = 'info' | 'error' | 'warn' | 'debug' | 'trace';

/**
 * Routes every `Logger` of NestJS into the service's JSON logger, the one way services log:
 * `new Logger(Owner.name).warn({ connectionId, errorCode }, 'refresh failed')` writes the ids as
 * fields beside the message (and the owner as `context`); a plain string is a message alone.
 */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    // NestJS passes (message, stack, context) for its own errors
    const trace = typeof message === 'string' && params.length === 2 && typeof params[0] === 'string' ? params.shift() : undefined;
    this.write('error', message, params, trace === undefined ? {} : { trace });
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  /** `params` is what NestJS passes on: the call's own arguments, then the logger's context. */
  private write(level: Level, message: unknown, params: unknown[], extra: Record<string, unknown> = {}): void {
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    if (message !== null && typeof message === 'object' && !(message instanceof Error)) {
      const text = typeof params[0] === 'string' ? params[0] : '';
      this.logger[level]({ ...(message as Record<string, unknown>), context, ...extra }, text);
      return;
    }
    this.logger[level]({ context, ...extra }, message instanceof Error ? message.message : String(message));
  }
}
