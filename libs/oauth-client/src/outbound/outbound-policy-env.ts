import { fromEnv } from '@cb/platform';
import { cidrProblem, type OutboundPolicy } from './outbound-policy';

/**
 * The {@link OutboundPolicy} from `RUN_MODE`, `OUTBOUND_ALLOWED_HOSTS` and `OUTBOUND_ALLOWED_CIDRS`:
 * the same rules for every service that calls a URL a connector admin or a workspace wrote.
 */
export function outboundPolicyFromEnv(env: NodeJS.ProcessEnv): OutboundPolicy {
  return {
    admitInternalAddresses: fromEnv.oneOf('RUN_MODE', ['development', 'production'] as const, 'production')(env) === 'development',
    allowedHosts: fromEnv.parsed('OUTBOUND_ALLOWED_HOSTS', hostList, '')(env),
    allowedCidrs: fromEnv.parsed('OUTBOUND_ALLOWED_CIDRS', cidrList, '')(env),
  };
}

function hostList(text: string): string[] {
  const hosts = items(text).map((host) => host.toLowerCase());
  const bad = hosts.find((host) => !/^[a-z0-9.-]+$|^\[[0-9a-f:.]+\]$/.test(host));
  if (bad !== undefined) throw new Error(`"${bad}" is not a host name; give a comma-separated list such as idp.internal.example,localhost`);
  return hosts;
}

function cidrList(text: string): string[] {
  const cidrs = items(text);
  for (const cidr of cidrs) {
    const problem = cidrProblem(cidr);
    if (problem !== undefined) throw new Error(`"${cidr}" ${problem}`);
  }
  return cidrs;
}

function items(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}
