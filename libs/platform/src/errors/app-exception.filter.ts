import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { AppError } from './app-error';

interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

const logger = new Logger('AppExceptionFilter');

/** The one place where errors become HTTP responses. Unknown errors are logged and hidden. */
@Catch()
export class AppExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    writeErrorResponse(host.switchToHttp().getResponse<Response>(), exception);
  }
}

/** Answers an error as the filter does; also for the routes answered ahead of Nest ({@link HotRoute}). */
export function writeErrorResponse(response: Response, exception: unknown): void {
  const [status, body] = toResponse(exception);
  if (status >= 500) logger.error({ status, errorCode: body.error.code, errorName: (exception as Error)?.name ?? 'unknown', trace: (exception as Error)?.stack }, 'request failed');
  if (status === 503) response.setHeader('Retry-After', '1');
  if (exception instanceof AppError && (exception.status === 429 || exception.status === 503) && typeof exception.details === 'object' && exception.details) {
    const retryAfter = (exception.details as { retryAfterSeconds?: number }).retryAfterSeconds;
    if (retryAfter !== undefined) response.setHeader('Retry-After', String(retryAfter));
  }
  response.status(status).json(body);
}

function toResponse(exception: unknown): [number, ErrorBody] {
  if (exception instanceof AppError) {
    const error: ErrorBody['error'] = { code: exception.code, message: exception.message };
    if (exception.details !== undefined) error.details = exception.details;
    return [exception.status, { error }];
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return [status, { error: { code: httpCode(status, exception), message: httpMessage(status, exception) } }];
  }
  const bodyParser = bodyParserError(exception);
  if (bodyParser) return bodyParser;
  if (databaseUnavailable(exception)) return [503, { error: { code: 'database_unavailable', message: 'the database is unavailable; retry shortly' } }];
  return [500, { error: { code: 'internal_error', message: 'internal error' } }];
}

const CONNECTION_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * TypeORM releases a query runner whose connection PostgreSQL dropped; the transaction's next
 * statement then fails with these.
 */
const RELEASED_RUNNER_ERRORS = new Set(['QueryRunnerAlreadyReleasedError', 'QueryRunnerProviderAlreadyReleasedError']);
const LOST_CONNECTION_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|the database system is (starting up|shutting down)|is not queryable/;

/**
 * The database went away (refused or dropped connections, an administrator shutdown, PostgreSQL
 * starting up): a transient 503 the caller may retry, not an internal error. Nothing was committed.
 */
function databaseUnavailable(exception: unknown): boolean {
  const error = (exception ?? {}) as { name?: unknown; code?: unknown; driverError?: { code?: unknown }; message?: unknown };
  const code = error.driverError?.code ?? error.code;
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || /^08...$/.test(code) || /^57P0[1-3]$/.test(code))) return true;
  if (typeof error.name === 'string' && RELEASED_RUNNER_ERRORS.has(error.name)) return true;
  return typeof error.message === 'string' && LOST_CONNECTION_MESSAGES.test(error.message);
}

/**
 * body-parser's own errors reach the filter unwrapped when they are not JSON syntax errors (Nest
 * wraps only those): e.g. 413 `entity.too.large`. They carry `type` and a 4xx `status`.
 */
function bodyParserError(exception: unknown): [number, ErrorBody] | undefined {
  const { type, status } = (exception ?? {}) as { type?: unknown; status?: unknown };
  const fromBodyParser = typeof type === 'string' && (type.startsWith('entity.') || type.startsWith('request.') || type.endsWith('.unsupported'));
  if (!fromBodyParser) return undefined;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  if (status === 413) return [413, { error: { code: 'payload_too_large', message: 'request body is too large' } }];
  if (type === 'entity.parse.failed') return [400, { error: { code: 'malformed_json', message: 'request body is not valid JSON' } }];
  if (type === 'entity.too.deep' || type === 'entity.nul.character') return [400, { error: { code: 'bad_request', message: (exception as Error).message } }];
  return [status, { error: { code: status === 415 ? 'unsupported_media_type' : 'bad_request', message: 'request body could not be read' } }];
}

function httpCode(status: number, exception: HttpException): string {
  const type = (exception as { type?: string }).type ?? (exception.cause as { type?: string } | undefined)?.type;
  if (type === 'entity.too.large' || status === 413) return 'payload_too_large';
  if (type === 'entity.parse.failed') return 'malformed_json';
  // Nest turns body-parser's JSON SyntaxError into a BadRequestException that keeps only the message.
  if (status === 400 && exception.constructor.name === 'BadRequestException' && /JSON/.test(exception.message)) return 'malformed_json';
  return { 400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed', 415: 'unsupported_media_type', 429: 'rate_limited' }[status] ?? 'http_error';
}

function httpMessage(status: number, exception: HttpException): string {
  if (status === 400 && /JSON/i.test(exception.message)) return 'request body is not valid JSON';
  if (status === 413) return 'request body is too large';
  return status >= 500 ? 'internal error' : exception.message;
}
