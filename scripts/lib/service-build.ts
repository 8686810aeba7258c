/**
 * The services compiled with tsc (tsconfig.build.json) into a private folder under .data/, to run
 * them as separate processes that start in a second or two: never into dist/, which someone's
 * `nest build` may be writing. Compiled again only when a watched source is newer than the last
 * build; the `@cb/*` aliases resolve at run time through tsconfig-paths and a tsconfig written
 * beside the output.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './paths';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Compiles into `buildDir` unless it is newer than every file under `sourceDirs` (relative to the
 * root) and tsconfig.json. The build is made beside it and then takes its place, so that processes
 * building at once (Jest workers) never run half a build.
 */
export function ensureServiceBuild(buildDir: string, sourceDirs: string[], log: (message: string) => void = () => undefined): void {
  const stamp = join(buildDir, '.build-stamp');
  const sources = Math.max(...sourceDirs.map((dir) => newestMtime(join(ROOT, dir))), statSync(join(ROOT, 'tsconfig.json')).mtimeMs);
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= sources) return linkUiAssets(buildDir);
  log(`compiling the services into ${relative(ROOT, buildDir)} (tsc)…`);
  const staging = `${buildDir}.tmp-${process.pid}`;
  mkdirSync(staging, { recursive: true });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', staging, '--incremental', 'false', '--sourceMap', 'false', '--declaration', 'false'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`tsc failed:\n${result.stdout}${result.stderr}`);
  }
  const { compilerOptions } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: { paths: Record<string, string[]> } };
  writeFileSync(join(staging, 'tsconfig.json'), JSON.stringify({ compilerOptions: { baseUrl: '.', paths: compilerOptions.paths } }));
  writeFileSync(join(staging, '.build-stamp'), new Date().toISOString());
  rmSync(buildDir, { recursive: true, force: true });
  renameSync(staging, buildDir);
  linkUiAssets(buildDir);
}

/** The gateway serves its UI from apps/gateway/ui-assets beside its build output (tsc does not copy them). */
function linkUiAssets(buildDir: string): void {
  const link = join(buildDir, 'apps', 'gateway', 'ui-assets');
  if (!existsSync(link)) symlinkSync(join(ROOT, 'apps', 'gateway', 'ui-assets'), link, 'dir');
}

/** Node's arguments and the environment that run a compiled entry point, e.g. `apps/gateway/src/main.js`. */
export function compiledEntry(buildDir: string, entry: string): { args: string[]; env: Record<string, string> } {
  return {
    args: ['-r', join(ROOT, 'node_modules', 'tsconfig-paths', 'register'), join(buildDir, entry)],
    env: { TS_NODE_PROJECT: join(buildDir, 'tsconfig.json') },
  };
}
