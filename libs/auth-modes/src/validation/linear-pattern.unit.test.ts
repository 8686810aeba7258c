import { linearPatternProblem, matchesWholly } from './linear-pattern';

describe('admin-written patterns run on RE2', () => {
  it('answers (a+)+ on 60 characters at once, where a backtracking engine would run for years', () => {
    const started = process.hrtime.bigint();
    expect(matchesWholly('(a+)+', `${'a'.repeat(59)}!`)).toBe(false);
    expect(matchesWholly('(a+)+', 'a'.repeat(60))).toBe(true);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });

  it('matches the whole value, not a part of it', () => {
    expect(matchesWholly('[a-z]+', 'acme')).toBe(true);
    expect(matchesWholly('[a-z]+', 'acme.evil.com')).toBe(false);
    expect(matchesWholly('a|b', 'ab')).toBe(false);
    expect(matchesWholly('x', 'x\n')).toBe(false);
  });

  it('refuses what RE2 cannot run in linear time, naming the construct', () => {
    expect(linearPatternProblem('(?=a)a')).toContain('(?=');
    expect(linearPatternProblem('(a)\\1')).toContain('\\1');
    expect(linearPatternProblem('[a-z')).toBeDefined();
    expect(linearPatternProblem('(login|test)\\.salesforce\\.com')).toBeUndefined();
  });

  // Each compiled pattern holds WASM memory and the heap is fixed at 16 MiB: kept, about 1,500
  // patterns like these abort the process. Cached ones are freed on eviction, checked ones at once.
  it('frees what it compiles: 2,000 distinct patterns checked and matched do not exhaust the WASM heap', () => {
    const groups = '([a-z0-9]+\\.)?'.repeat(20);
    for (let i = 0; i < 2_000; i += 1) {
      expect(linearPatternProblem(`x${i}${groups}`)).toBeUndefined();
      expect(matchesWholly(`x${i}${groups}`, `x${i}abc.`)).toBe(true);
    }
  });

  it('a pattern saved before RE2 checked it, and that RE2 cannot compile, matches nothing', () => {
    expect(matchesWholly('(?<=a)b', 'b')).toBe(false);
  });
});
