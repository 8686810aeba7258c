import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const CONFIG = join(ROOT, '.dependency-cruiser.js');
const CRUISE = join(__dirname, 'support', 'cruise.mjs');

interface Violation {
  rule: string;
  from: string;
  to: string;
  cycle?: string[];
}

/** dependency-cruiser is ESM only; support/cruise.mjs calls its `cruise` API in a child process. */
async function cruise(baseDir: string, dirs: string[]): Promise<{ violations: Violation[]; modules: number }> {
  const { stdout } = await promisify(execFile)(process.execPath, [CRUISE, baseDir, CONFIG, ...dirs], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout) as { violations: Violation[]; modules: number };
}

function writeTree(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

describe('dependency rules (.dependency-cruiser.js)', () => {
  describe('on a fixture tree that breaks each rule', () => {
    let fixture: string;
    let violations: Violation[];

    beforeAll(async () => {
      fixture = mkdtempSync(join(tmpdir(), 'cb-depcruise-'));
      writeTree(fixture, {
        'tsconfig.json': JSON.stringify({
          compilerOptions: { module: 'commonjs', baseUrl: './', paths: { '@cb/one': ['libs/one/src/index.ts'], '@cb/two': ['libs/two/src/index.ts'] } },
        }),
        'apps/alpha/src/main.ts': "import { beta } from '../../beta/src/beta';\nexport const alpha = beta;\n",
        'apps/alpha/src/allowed.ts': "import { one } from '@cb/one';\nimport { local } from './local';\nexport const allowed = [one, local];\n",
        'apps/alpha/src/local.ts': 'export const local = 1;\n',
        'apps/alpha/src/internals.ts': "import { a } from '../../../libs/one/src/a';\nexport const internals = a;\n",
        'apps/alpha/src/relative-index.ts': "import { one } from '../../../libs/one/src/index';\nexport const relative = one;\n",
        'apps/beta/src/beta.ts': 'export const beta = 1;\n',
        'libs/one/src/index.ts': "export { a } from './a';\nexport const one = 1;\n",
        'libs/one/src/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
        'libs/one/src/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
        'libs/two/src/index.ts': "import { beta } from '../../../apps/beta/src/beta';\nimport { a } from '../../one/src/a';\nexport const two = [beta, a];\n",
      });
      ({ violations } = await cruise(fixture, ['apps', 'libs']));
    });

    afterAll(() => rmSync(fixture, { recursive: true, force: true }));

    const found = (rule: string, from: string, to: string): boolean => violations.some((v) => v.rule === rule && v.from === from && v.to === to);

    it('forbids an app importing another app', () => {
      expect(found('no-app-to-app', 'apps/alpha/src/main.ts', 'apps/beta/src/beta.ts')).toBe(true);
    });

    it('forbids a lib importing an app', () => {
      expect(found('no-lib-to-app', 'libs/two/src/index.ts', 'apps/beta/src/beta.ts')).toBe(true);
    });

    it("forbids reaching into a lib's internals, from an app or from another lib", () => {
      expect(found('lib-only-through-its-index', 'apps/alpha/src/internals.ts', 'libs/one/src/a.ts')).toBe(true);
      expect(found('lib-only-through-its-index-from-libs', 'libs/two/src/index.ts', 'libs/one/src/a.ts')).toBe(true);
    });

    it('forbids a relative path to a lib even when it reaches the index', () => {
      expect(found('lib-by-alias', 'apps/alpha/src/relative-index.ts', 'libs/one/src/index.ts')).toBe(true);
    });

    it('forbids import cycles', () => {
      const cycle = violations.find((v) => v.rule === 'no-circular');
      expect(cycle?.cycle?.length).toBeGreaterThan(0);
      expect([cycle?.from, cycle?.to].sort()).toEqual(['libs/one/src/a.ts', 'libs/one/src/b.ts']);
    });

    it('allows a lib by its alias and imports inside an app', () => {
      expect(violations.filter((v) => v.from === 'apps/alpha/src/allowed.ts' || v.from === 'apps/alpha/src/local.ts')).toEqual([]);
    });
  });

  it('passes on the real tree (apps and libs)', async () => {
    const { violations, modules } = await cruise(ROOT, ['apps', 'libs']);
    expect(modules).toBeGreaterThan(20);
    expect(violations).toEqual([]);
  });
});
