// The memory settings every launcher gives a service process: `npm start`, docker-compose.yml, the
// benchmark and the fault tests. Under load V8 lets each young-generation semi-space grow to 16 MiB
// and glibc's malloc keeps up to eight arenas per core; together they held about 140 MiB of the five
// services' resident size in the soak (docs/PERFORMANCE.md, round 9). The services a credential
// read or a proxied call passes through keep 4 MiB semi-spaces: at 1 MiB they spent a fifth more
// CPU per call. A NODE_OPTIONS or MALLOC_ARENA_MAX already in the environment is kept, and wins.
'use strict';

const PER_CALL_SERVICES = new Set(['gateway', 'token-issuance']);

/** The environment variables to add to `env` when starting `service`. */
function serviceMemoryEnv(service, env = process.env) {
  const semiSpaceMiB = PER_CALL_SERVICES.has(service) ? 4 : 1;
  return {
    NODE_OPTIONS: [`--max-semi-space-size=${semiSpaceMiB}`, env.NODE_OPTIONS].filter(Boolean).join(' '),
    MALLOC_ARENA_MAX: env.MALLOC_ARENA_MAX || '2',
  };
}

module.exports = { serviceMemoryEnv };
