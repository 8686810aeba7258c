import { lookup, type LookupAddress } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { Agent, buildConnector } from 'undici';
import { refusedDestination, type OutboundPolicy } from './outbound-policy';

/** A connection refused by the {@link OutboundPolicy}; nothing was sent. */
export class DestinationRefusedError extends Error {
  override readonly name = 'DestinationRefusedError';
  readonly code = 'DESTINATION_REFUSED';
}

const agents = new WeakMap<OutboundPolicy, Agent>();

/**
 * The HTTP agent for requests to providers: checks every address at connect time, an IP literal
 * (`127.0.0.1`, `0x7f000001`, `[::ffff:127.0.0.1]` once the URL parser has normalized them) before
 * connecting and a host name's addresses in the DNS lookup that the socket itself uses, so what is
 * checked is what is connected to. One agent (and connection pool) per policy.
 */
export function outboundAgent(policy: OutboundPolicy): Agent {
  let agent = agents.get(policy);
  if (agent === undefined) {
    agent = new Agent({ connect: guardedConnector(policy) });
    agents.set(policy, agent);
  }
  return agent;
}

function guardedConnector(policy: OutboundPolicy): buildConnector.connector {
  const connect = buildConnector({ lookup: guardedLookup(policy) });
  return (options, callback) => {
    const address = options.hostname.replace(/^\[|\]$/g, '');
    const refused = isIP(address) === 0 ? undefined : refusedDestination(policy, address, address);
    if (refused !== undefined) {
      callback(new DestinationRefusedError(refused), null);
      return;
    }
    connect(options, callback);
  };
}

function guardedLookup(policy: OutboundPolicy): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) {
        callback(error, '', 0);
        return;
      }
      const refused = addresses.map((entry) => refusedDestination(policy, hostname, entry.address)).find((reason) => reason !== undefined);
      if (refused !== undefined || addresses.length === 0) {
        callback(new DestinationRefusedError(refused ?? `${hostname} has no address`), '', 0);
        return;
      }
      if (options.all === true) (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0]?.address ?? '', addresses[0]?.family ?? 4);
    });
  };
}
