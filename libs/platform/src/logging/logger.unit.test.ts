import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { runInRequestContext } from '../tracing/request-context';
import { createLogger, PinoNestLogger } from './logger';

function capture(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  return { lines, stream };
}

describe('createLogger', () => {
  it('redacts secret fields at the top level and one level down', () => {
    const { lines, stream } = capture();
    const logger = createLogger('test', 'info', stream);
    logger.info({ clientSecret: 'canary-1', connector: { client_secret: 'canary-2', name: 'ok' }, refresh_token: 'canary-3' }, 'hello');
    const output = lines.join('');
    expect(output).not.toMatch(/canary/);
    expect(output).toContain('"name":"ok"');
  });
});

describe('PinoNestLogger', () => {
  const lastLine = (lines: string[]): Record<string, unknown> => JSON.parse(lines[lines.length - 1] as string) as Record<string, unknown>;

  it("writes a Nest logger's fields beside its message, with the owner as context, and still redacts", () => {
    const { lines, stream } = capture();
    Logger.overrideLogger(new PinoNestLogger(createLogger('test', 'debug', stream)));
    try {
      new Logger('CredentialRefresher').warn({ connectionId: 'c-1', errorCode: 'invalid_grant', refreshToken: 'canary-4' }, 'connection needs reconnect');
      expect(lastLine(lines)).toMatchObject({ level: 40, connectionId: 'c-1', errorCode: 'invalid_grant', context: 'CredentialRefresher', msg: 'connection needs reconnect' });
      expect(lines.join('')).not.toContain('canary-4');

      new Logger('Relay').log('relay started');
      expect(lastLine(lines)).toMatchObject({ level: 30, context: 'Relay', msg: 'relay started' });

      new Logger('Filter').error('request failed', 'Error: boom\n    at x', );
      expect(lastLine(lines)).toMatchObject({ level: 50, context: 'Filter', msg: 'request failed', trace: 'Error: boom\n    at x' });
    } finally {
      Logger.overrideLogger(false);
    }
  });
});

describe('log correlation', () => {
  it('names the current request on every line written while it is handled, and nothing outside one', () => {
    const { lines, stream } = capture();
    const logger = createLogger('test', 'info', stream);
    runInRequestContext({ requestId: 'req-1' }, () => logger.info({ connectionId: 'c-1' }, 'inside'));
    logger.info('outside');
    const [inside, outside] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(inside).toMatchObject({ request_id: 'req-1', connectionId: 'c-1', msg: 'inside' });
    expect(outside).not.toHaveProperty('request_id');
    expect(outside).not.toHaveProperty('trace_id');
  });
});
