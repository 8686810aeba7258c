/** Jest globalTeardown of the `integration` project: stops exactly what global setup started. */
import { stopContainers } from './containers';
import { removeHarnessRoles } from './database-roles';
import { HARNESS_KEY, type HarnessHandle } from './handle';
import { progress, readState, stopLocal, testRunDirFor } from './local-infra';

export default async function globalTeardown(): Promise<void> {
  const handle = (globalThis as Record<string, unknown>)[HARNESS_KEY] as HarnessHandle | undefined;
  if (handle?.mode === 'docker') {
    await stopContainers(handle.containers);
  } else if (handle?.mode === 'external') {
    // A cluster the run did not start keeps nothing of it: the template and the roles go.
    const adminUrl = process.env.DATABASE_URL;
    if (handle.roles && adminUrl) await removeHarnessRoles(adminUrl, handle.roles).catch((e: Error) => progress(`removing the run's roles: ${e.message}`));
  } else {
    // Local mode; the state file is the record of pids and folders should globalThis be empty.
    const state = handle?.state ?? readState(testRunDirFor(process.pid));
    if (state) await stopLocal(state);
  }
  progress(`teardown done (${handle?.mode ?? 'nothing recorded'})`);
}
