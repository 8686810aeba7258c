import { PassThrough, Readable, Transform, Writable } from 'node:stream';
import { forwardBody } from './forward-body';

function collector(): { sink: Writable; received: () => string } {
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  return { sink, received: () => Buffer.concat(chunks).toString() };
}

describe('forwardBody', () => {
  it('passes every chunk through, in order, and resolves once the destination has finished', async () => {
    const { sink, received } = collector();
    const upper = new Transform({ transform: (chunk: Buffer, _encoding, callback) => callback(null, chunk.toString().toUpperCase()) });
    await forwardBody(Readable.from(['a', 'b', 'c']), sink, upper);
    expect(received()).toBe('ABC');
    expect(sink.writableFinished).toBe(true);
  });

  it('destroys the destination and rejects when the source fails midway', async () => {
    const source = new PassThrough();
    const { sink, received } = collector();
    const forwarding = forwardBody(source, sink);
    source.write('first');
    source.destroy(new Error('provider went away'));
    await expect(forwarding).rejects.toThrow('provider went away');
    expect(sink.destroyed).toBe(true);
    expect(received()).toBe('first');
  });

  it('destroys the source when the destination closes before the end (the caller went away)', async () => {
    const source = new PassThrough();
    const { sink } = collector();
    const forwarding = forwardBody(source, sink);
    source.write('first');
    sink.destroy();
    await expect(forwarding).rejects.toThrow('closed before the body ended');
    expect(source.destroyed).toBe(true);
  });

  it('rejects with the error of the stream in between, and destroys both ends', async () => {
    const source = new PassThrough();
    const { sink } = collector();
    const limit = new Transform({ transform: (_chunk, _encoding, callback) => callback(new Error('too large')) });
    const forwarding = forwardBody(source, sink, limit);
    source.write('x');
    await expect(forwarding).rejects.toThrow('too large');
    expect([source.destroyed, sink.destroyed]).toEqual([true, true]);
  });
});
