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

  // re2-wasm's own RE2 class aborts the process after about 3,700 distinct patterns (16 MiB heap, never freed).
  it('frees what it compiles: 5,000 distinct bad and good patterns do not exhaust the WASM heap', () => {
    for (let i = 0; i < 5_000; i += 1) {
      expect(linearPatternProblem(`(x${i}(?=y)`)).toBeDefined();
      expect(matchesWholly(`x${i}[a-z]+`, `x${i}abc`)).toBe(true);
    }
  });

  it('a pattern saved before RE2 checked it, and that RE2 cannot compile, matches nothing', () => {
    expect(matchesWholly('(?<=a)b', 'b')).toBe(false);
  });
});
