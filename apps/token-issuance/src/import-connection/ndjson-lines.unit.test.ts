import { ndjsonLines, type NdjsonEnd, type NdjsonLine } from './ndjson-lines';

async function read(chunks: string[], limits = { maxLineBytes: 20, maxLines: 10, maxTotalBytes: 1000 }): Promise<{ lines: NdjsonLine[]; end: NdjsonEnd }> {
  const lines: NdjsonLine[] = [];
  const iterator = ndjsonLines(
    chunks.map((chunk) => Buffer.from(chunk)),
    limits,
  );
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { lines, end: next.value };
    lines.push(next.value);
  }
}

describe('ndjsonLines', () => {
  it('yields lines across chunk boundaries, numbering blank lines without yielding them, with or without a final newline', async () => {
    expect(await read(['{"a":', '1}\n\n{"b"', ':2}\r\n{"c":3}'])).toEqual({
      lines: [
        { number: 1, text: '{"a":1}' },
        { number: 3, text: '{"b":2}' },
        { number: 4, text: '{"c":3}' },
      ],
      end: { complete: true },
    });
  });

  it('reports a line past the byte limit once and goes on with the next', async () => {
    const { lines, end } = await read([`{"x":"${'y'.repeat(15)}`, `${'z'.repeat(30)}"}\n{"ok":1}\n`]);
    expect(lines).toEqual([{ number: 1, tooLong: true }, { number: 2, text: '{"ok":1}' }]);
    expect(end).toEqual({ complete: true });
  });

  it('stops at the line count and at the total size, without reading on', async () => {
    expect((await read(['1\n2\n3\n'], { maxLineBytes: 20, maxLines: 2, maxTotalBytes: 1000 })).end).toEqual({ complete: false, reason: 'too_many_lines' });
    const large = await read(['1\n', '2'.repeat(30), '\n3\n'], { maxLineBytes: 100, maxLines: 10, maxTotalBytes: 20 });
    expect(large).toEqual({ lines: [{ number: 1, text: '1' }], end: { complete: false, reason: 'too_large' } });
  });
});
