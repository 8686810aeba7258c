/** Limits of one bulk import: a bad line never stops the others, but the stream as a whole is bounded. */
export interface NdjsonLimits {
  maxLineBytes: number;
  maxLines: number;
  maxTotalBytes: number;
}

export type NdjsonLine = { number: number; text: string } | { number: number; tooLong: true };
export type NdjsonEnd = { complete: true } | { complete: false; reason: 'too_many_lines' | 'too_large' };

/**
 * Lines of an NDJSON stream as they arrive, in order, holding at most one line in memory (a line
 * past `maxLineBytes` is reported once and skipped to its end). Blank lines are numbered, not
 * yielded. Returns how the stream ended: whole, or cut at a limit (the rest is not read).
 */
export async function* ndjsonLines(source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>, limits: NdjsonLimits): AsyncGenerator<NdjsonLine, NdjsonEnd> {
  let total = 0;
  let number = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  const finish = function* (): Generator<NdjsonLine, NdjsonEnd | undefined> {
    number += 1;
    const text = Buffer.concat(pending).toString('utf8').replace(/\r$/, '');
    pending = [];
    pendingBytes = 0;
    if (number > limits.maxLines) return { complete: false, reason: 'too_many_lines' };
    if (text.trim() !== '') yield { number, text };
    return undefined;
  };
  for await (const chunk of source) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += bytes.length;
    if (total > limits.maxTotalBytes) return { complete: false, reason: 'too_large' };
    let start = 0;
    for (let newline = bytes.indexOf(10, start); start <= bytes.length; newline = bytes.indexOf(10, start)) {
      const end = newline === -1 ? bytes.length : newline;
      if (!skipping) {
        pending.push(bytes.subarray(start, end));
        pendingBytes += end - start;
        if (pendingBytes > limits.maxLineBytes) {
          skipping = true;
          pending = [];
          pendingBytes = 0;
        }
      }
      if (newline === -1) break;
      start = newline + 1;
      if (skipping) {
        number += 1;
        skipping = false;
        if (number > limits.maxLines) return { complete: false, reason: 'too_many_lines' };
        yield { number, tooLong: true };
      } else {
        const ended = yield* finish();
        if (ended) return ended;
      }
    }
  }
  if (skipping) {
    number += 1;
    if (number > limits.maxLines) return { complete: false, reason: 'too_many_lines' };
    yield { number, tooLong: true };
  } else if (pendingBytes > 0) {
    const ended = yield* finish();
    if (ended) return ended;
  }
  return { complete: true };
}
