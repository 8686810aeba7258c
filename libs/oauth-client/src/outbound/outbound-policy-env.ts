import { fromEnv } from '@cb/platform';
import { parseCidrList, parseHostList, type OutboundPolicy } from './outbound-policy';

/**
 * The {@link OutboundPolicy} from `RUN_MODE`, `OUTBOUND_ALLOWED_HOSTS` and `OUTBOUND_ALLOWED_CIDRS`:
 * the same rules for every service that calls a URL a connector admin or a workspace wrote.
 */
export function outboundPolicyFromEnv(env: NodeJS.ProcessEnv): OutboundPolicy {
  return {
    admitInternalAddresses: fromEnv.oneOf('RUN_MODE', ['development', 'production'] as const, 'production')(env) === 'development',
    allowedHosts: fromEnv.parsed('OUTBOUND_ALLOWED_HOSTS', parseHostList, '')(env),
    allowedCidrs: fromEnv.parsed('OUTBOUND_ALLOWED_CIDRS', parseCidrList, '')(env),
  };
}
