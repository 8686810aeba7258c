import { Writable } from 'node:stream';
import { createLogger } from './logger';

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
