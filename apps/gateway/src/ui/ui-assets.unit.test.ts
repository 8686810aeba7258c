import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadUiAssets } from './ui-assets';

describe('loadUiAssets', () => {
  let dir: string;
  let outside: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ui-assets-'));
    outside = mkdtempSync(join(tmpdir(), 'ui-outside-'));
    writeFileSync(join(outside, 'secret.js'), 'secret');
    mkdirSync(join(dir, 'settings', 'parts'), { recursive: true });
    mkdirSync(join(dir, '.hidden'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html>');
    writeFileSync(join(dir, 'settings.js'), 'export {};');
    writeFileSync(join(dir, 'settings', 'sign-in.js'), 'export {};');
    writeFileSync(join(dir, 'settings', 'parts', 'card.js'), 'export {};');
    writeFileSync(join(dir, 'settings', 'notes.md'), '# not served');
    writeFileSync(join(dir, '.hidden', 'x.js'), 'export {};');
    symlinkSync(outside, join(dir, 'linked'), 'dir');
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(outside, { recursive: true, force: true });
  });

  it('serves the files of nested folders by their path, and nothing else', () => {
    const assets = loadUiAssets(dir);
    expect([...assets.keys()].sort()).toEqual(['index.html', 'settings.js', 'settings/parts/card.js', 'settings/sign-in.js']);
    expect(assets.get('settings/parts/card.js')?.contentType).toBe('text/javascript; charset=utf-8');
  });
});
