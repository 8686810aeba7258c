import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

/** The static files of the web UI, read once at start-up: only these names are ever served. */
export interface UiAsset {
  body: Buffer;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(html|js|css|svg)$/;
const FOLDER_NAME = /^[a-z0-9][a-z0-9-]*$/;

/**
 * `apps/gateway/ui-assets`, found from this file both when it runs as TypeScript
 * (`apps/gateway/src/ui`) and when it runs built (`dist/apps/gateway/src/ui`): the build does not
 * copy the assets, so the built gateway serves them from the source folder of the checkout.
 */
export function uiAssetsDirectory(from: string = __dirname): string {
  const candidates = [resolve(from, '..', '..', 'ui-assets'), resolve(from, '..', '..', '..', '..', '..', 'apps', 'gateway', 'ui-assets')];
  const found = candidates.find((dir) => existsSync(join(dir, 'index.html')));
  if (!found) throw new Error(`the web UI assets were not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Keyed by the path below the folder: `settings.js`, `settings/sign-in.js`. */
export function loadUiAssets(directory: string = uiAssetsDirectory()): Map<string, UiAsset> {
  const assets = new Map<string, UiAsset>();
  addFolder(assets, directory, '');
  return assets;
}

/** A link to a folder is not entered: Dirent.isDirectory() is false for links. */
function addFolder(assets: Map<string, UiAsset>, directory: string, prefix: string): void {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (FOLDER_NAME.test(entry.name)) addFolder(assets, join(directory, entry.name), `${prefix}${entry.name}/`);
      continue;
    }
    const contentType = CONTENT_TYPES[extname(entry.name)];
    if (!ASSET_NAME.test(entry.name) || contentType === undefined) continue;
    assets.set(`${prefix}${entry.name}`, { body: readFileSync(join(directory, entry.name)), contentType });
  }
}
