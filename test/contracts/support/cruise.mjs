// Runs dependency-cruiser's API (ESM only, so not loadable from Jest's CommonJS) in a child process:
//   node cruise.mjs <base dir> <config file> <dir>...
// Cruises <dir>s as seen from <base dir> with the rules in <config file> and prints the violations
// as JSON lines of { rule, from, to }.
import { cruise } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const [baseDir, configFile, ...dirs] = process.argv.slice(2);
process.chdir(baseDir);
const options = await extractDepcruiseOptions(configFile);
const tsConfigFile = options.tsConfig?.fileName;
const result = await cruise(dirs, options, undefined, { tsConfig: tsConfigFile ? extractTSConfig(tsConfigFile) : undefined });
const violations = result.output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to, cycle: v.cycle?.map((c) => c.name) }));
process.stdout.write(JSON.stringify({ violations, modules: result.output.summary.totalCruised }));
