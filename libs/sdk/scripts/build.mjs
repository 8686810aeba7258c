// Builds the package into dist/: CommonJS with declarations (tsc), and an ES module entry that
// re-exports the CommonJS one, so both `import` and `require` get the same classes and state
// (no dual-package hazard: `instanceof CredentialBrokerError` holds whichever way it was loaded).
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const tsc = createRequire(join(root, '../../package.json')).resolve('typescript/bin/tsc');

rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
const names = Object.keys(createRequire(import.meta.url)(join(dist, 'index.js'))).filter((name) => name !== '__esModule');
writeFileSync(join(dist, 'index.mjs'), `import sdk from './index.js';\n\nexport const { ${names.join(', ')} } = sdk;\n`);
writeFileSync(join(dist, 'index.d.mts'), "export * from './index.js';\n");
process.stdout.write(`built ${dist} (${names.length} runtime exports)\n`);
