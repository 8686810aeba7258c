/**
 * Compiles the services (and the benchmark's floor servers) with tsc into .data/bench-build, a
 * private output folder, so a benchmark never races another engineer's `nest build` into dist/.
 * Runs only when a source is newer than the last build. The `@cb/*` aliases are resolved at run
 * time by tsconfig-paths with a tsconfig written next to the output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DATA_DIR, ROOT } from '../../scripts/lib/paths';
import { say } from './infra';

export const BUILD_DIR = join(DATA_DIR, 'bench-build');
const STAMP = join(BUILD_DIR, '.build-stamp');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

export function ensureBuild(): void {
  const sources = Math.max(
    newestMtime(join(ROOT, 'apps')),
    newestMtime(join(ROOT, 'libs')),
    newestMtime(join(ROOT, 'bench')),
    statSync(join(ROOT, 'tsconfig.json')).mtimeMs,
  );
  if (existsSync(STAMP) && statSync(STAMP).mtimeMs >= sources) return linkAssets();
  say('compiling the services into .data/bench-build (tsc)…');
  mkdirSync(BUILD_DIR, { recursive: true });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', BUILD_DIR, '--incremental', 'false', '--sourceMap', 'false'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`tsc failed:\n${result.stdout}${result.stderr}`);
  const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
  writeFileSync(join(BUILD_DIR, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: compilerOptions.paths } }));
  writeFileSync(STAMP, new Date().toISOString());
  linkAssets();
}

/** The gateway serves its UI from apps/gateway/ui-assets beside its build output (the build does not copy them). */
function linkAssets(): void {
  const link = join(BUILD_DIR, 'apps', 'gateway', 'ui-assets');
  if (!existsSync(link)) symlinkSync(join(ROOT, 'apps', 'gateway', 'ui-assets'), link, 'dir');
}

/** How to run a compiled entry point: node with the alias resolver. */
export function nodeArgs(entry: string): { args: string[]; env: Record<string, string> } {
  return {
    args: ['-r', join(ROOT, 'node_modules', 'tsconfig-paths', 'register'), join(BUILD_DIR, entry)],
    env: { TS_NODE_PROJECT: join(BUILD_DIR, 'tsconfig.json') },
  };
}
