// NODE_VERSION=<major or x.y.z> for `npm start` and `npm test`: run the script under that Node,
// fetched once from the npm registry's `node` package into the git-ignored .cache/node-<version>.
const { spawn, spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { delimiter, dirname, join } = require('node:path');

const SUPPORTED_MAJORS = [20, 22, 24];
const SWITCHED_MARK = 'CB_NODE_SWITCHED_FROM';

/**
 * What NODE_VERSION asks for, given the running Node: undefined when nothing is asked or the running
 * Node already is that version, otherwise where that Node lives (or will, once fetched).
 * Throws, naming the supported versions, for anything else.
 */
function planNodeSwitch({ requested, running, root }) {
  if (requested === undefined || requested.trim() === '') return undefined;
  const spec = requested.trim().replace(/^v/, '');
  const match = /^(\d+)(?:\.\d+\.\d+)?$/.exec(spec);
  if (!match) {
    throw new Error(`NODE_VERSION must be a major version (${SUPPORTED_MAJORS.join(', ')}) or an exact version such as 24.11.0, not "${requested}"`);
  }
  const major = Number(match[1]);
  if (!SUPPORTED_MAJORS.includes(major)) {
    throw new Error(`NODE_VERSION=${requested}: Node ${major} is not supported; use ${SUPPORTED_MAJORS.join(', ')}`);
  }
  const runningVersion = running.replace(/^v/, '');
  const satisfied = spec.includes('.') ? runningVersion === spec : Number(runningVersion.split('.')[0]) === major;
  if (satisfied) return undefined;
  const dir = join(root, '.cache', `node-${spec}`);
  return { spec, major, dir, binary: join(dir, 'node_modules', 'node', 'bin', 'node') };
}

function fetchNode(plan, log) {
  log(`fetching Node ${plan.spec} (npm package node@${plan.spec}) into ${plan.dir} once…`);
  const result = spawnSync('npm', ['install', '--prefix', plan.dir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `node@${plan.spec}`], { stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(plan.binary)) {
    throw new Error(`could not fetch Node ${plan.spec} from the npm registry (npm install node@${plan.spec} exited ${result.status ?? result.signal})`);
  }
}

/**
 * Runs `script args` again under the Node that NODE_VERSION asks for, fetching it when missing.
 * Resolves to undefined when the running Node is the right one (the caller carries on), otherwise
 * to the exit code of the re-run. Signals reach the re-run, so Ctrl-C stops it as usual.
 */
async function handOverToRequestedNode({ root, script, args, env = process.env, log = (m) => process.stderr.write(`[node] ${m}\n`) }) {
  const plan = planNodeSwitch({ requested: env.NODE_VERSION, running: process.version, root });
  if (!plan) return undefined;
  if (env[SWITCHED_MARK]) {
    throw new Error(`NODE_VERSION=${env.NODE_VERSION}, but the Node in ${plan.dir} runs as ${process.version}; delete that folder to fetch it again`);
  }
  if (!existsSync(plan.binary)) fetchNode(plan, log);
  log(`running under ${plan.binary}`);
  const child = spawn(plan.binary, [script, ...args], {
    stdio: 'inherit',
    // Children that run `node`, `npm` or `npx` (eslint, jest, the services) get the same Node first in PATH.
    env: { ...env, [SWITCHED_MARK]: process.version, PATH: `${dirname(plan.binary)}${delimiter}${env.PATH ?? ''}` },
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

module.exports = { SUPPORTED_MAJORS, planNodeSwitch, handOverToRequestedNode };
