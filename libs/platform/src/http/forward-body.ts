import type { Readable, Transform, Writable } from 'node:stream';

/**
 * Streams `source` into `destination` (through `through`, when given) with back-pressure. Resolves
 * once `destination` has finished; when any of them fails, or `source` or `destination` closes
 * before its end, destroys all of them and rejects. What `stream.pipeline` does for a proxied
 * answer, without its per-call AbortController, abort error and stream destroyers, which profiles
 * of the proxy showed among its largest costs.
 */
export function forwardBody(source: Readable, destination: Writable, through?: Transform): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      source.destroy();
      through?.destroy();
      destination.destroy();
      reject(error);
    };
    source.on('error', fail).on('close', () => {
      if (!source.readableEnded) fail(new Error('the body ended before its end'));
    });
    through?.on('error', fail);
    destination.on('error', fail).on('close', () => {
      if (!destination.writableFinished) fail(new Error('the destination closed before the body ended'));
    });
    destination.on('finish', () => {
      settled = true;
      resolve();
    });
    if (through) source.pipe(through).pipe(destination);
    else source.pipe(destination);
  });
}
