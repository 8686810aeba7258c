import { LoggerService } from '@nestjs/common';
import pino, { DestinationStream, Logger } from 'pino';

/** Field names that may hold a secret anywhere in a log object; pino replaces their values. */
const SECRET_FIELDS = [
  'clientSecret', 'client_secret', 'accessToken', 'access_token', 'refreshToken', 'refresh_token', 'idToken', 'id_token',
  'password', 'apiKey', 'api_key', 'token', 'code', 'codeVerifier', 'code_verifier', 'secret', 'secrets', 'authorization',
  'cookie', 'values', 'sealed',
];

export const REDACT_PATHS = [...SECRET_FIELDS, ...SECRET_FIELDS.map((f) => `*.${f}`), 'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]'];

export function createLogger(service: string, level: string, destination?: DestinationStream | string): Logger {
  const stream = typeof destination === 'string' ? pino.destination({ dest: destination, sync: true, mkdir: true }) : (destination ?? pino.destination({ sync: false }));
  return pino({ name: service, level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service, pid: process.pid } }, stream);
}

/** Routes NestJS's own log calls into the service's JSON logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}
