/** What `npm start` shows when a service stops (scripts/failure-reason.cjs), from the lines it logged. */
import { failureReason } from '../../scripts/failure-reason.cjs';

const pinoLine = (level: number, msg: string, extra: Record<string, unknown> = {}): string => JSON.stringify({ level, time: 1, service: 'token-refresh', msg, ...extra });

describe('failure reason of a stopped service', () => {
  it('is the fatal start-up message, not the JSON retries around it', () => {
    const log = [
      pinoLine(30, 'Starting Nest application...'),
      pinoLine(50, 'Unable to connect to the database. Retrying (29)...', { trace: 'error: database "x" does not exist\n    at parseErrorMessage (parser.js:306:11)' }),
      'failed to start: database "x" does not exist',
      pinoLine(50, 'error: database "x" does not exist', { context: 'ExceptionHandler' }),
      pinoLine(50, 'Unable to connect to the database. Retrying (30)...'),
      '',
    ].join('\n');
    expect(failureReason(log)).toBe('failed to start: database "x" does not exist');
  });

  it('keeps the indented lines of a multi-line message', () => {
    const log = ['failed to start: invalid configuration:', '  - DATABASE_URL is required but not set', '  - VAULT_KEYS is required but not set', ''].join('\n');
    expect(failureReason(log)).toBe(log.trim());
  });

  it('names the error of an uncaught exception, without its stack', () => {
    const log = [
      '/app/dist/libs/events/src/index.js:13',
      "        const reflectedType = Reflect.getMetadata('design:type', target, propertyName);",
      '                                      ^',
      '',
      'TypeError: Reflect.getMetadata is not a function',
      '    at /app/node_modules/class-transformer/cjs/decorators/type.decorator.js:13:39',
      '    at Module._compile (node:internal/modules/cjs/loader:1521:14)',
      '',
      'Node.js v20.20.2',
    ].join('\n');
    expect(failureReason(log)).toBe('TypeError: Reflect.getMetadata is not a function');
  });

  it('falls back to the last logged error, and to nothing for a log without one', () => {
    expect(failureReason([pinoLine(30, 'listening'), pinoLine(60, 'out of memory', { err: { message: 'heap limit' } }), pinoLine(30, 'bye')].join('\n'))).toBe('out of memory: heap limit');
    expect(failureReason(pinoLine(30, 'listening'))).toBeUndefined();
    expect(failureReason('')).toBeUndefined();
  });
});
