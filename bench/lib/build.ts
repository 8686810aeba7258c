/**
 * The services and the benchmark's floor servers compiled into .data/bench-build
 * (scripts/lib/service-build.ts); compiled again when a source under apps/, libs/ or bench/ changes.
 */
import { join } from 'node:path';
import { DATA_DIR } from '../../scripts/lib/paths';
import { compiledEntry, ensureServiceBuild } from '../../scripts/lib/service-build';
import { say } from './infra';

const BUILD_DIR = join(DATA_DIR, 'bench-build');

export function ensureBuild(): void {
  ensureServiceBuild(BUILD_DIR, ['apps', 'libs', 'bench'], say);
}

/** How to run a compiled entry point: node with the alias resolver. */
export function nodeArgs(entry: string): { args: string[]; env: Record<string, string> } {
  return compiledEntry(BUILD_DIR, entry);
}
