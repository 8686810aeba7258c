/**
 * A simulator of real OAuth providers for tests: one in-process `node:http` server on a free port,
 * with one profile per provider template (and a few generic ones) mounted at `/<profile id>`.
 * Each profile is a real authorization server with that provider's documented behaviour and wire
 * format (see profiles/); a user is logged in at the provider by the `sim_user` cookie and consents
 * at once, so the authorization endpoint answers with a redirect to the client's redirect URI.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthorizationServer, type RegisteredClient, type ServerStats } from './authorization-server';
import { readExchange, type Answer } from './http-exchange';
import { USER_COOKIE, type HandedOutCredential, type ProfileEndpoints, type ProviderProfile } from './profile';
import { PROFILES } from './profiles';

export { PROFILES, USER_COOKIE };
export type { HandedOutCredential, ProviderProfile, RegisteredClient, ServerStats };

export interface SimulatorOptions {
  /** How long every access token lives, in seconds (told to the client as `expires_in` where the provider does). */
  readonly accessTokenLifetimeSeconds: number;
}

export interface SimulatedProvider {
  readonly profile: ProviderProfile;
  /** Where the profile is mounted: the provider's `https://<host>/<path>` is `<base>/<host>/<path>` here. */
  readonly base: string;
  registerClient(client: RegisteredClient): void;
  /** A provider URL (placeholders such as `{tenant}` kept) moved onto the simulator. */
  localUrl(providerUrl: string): string;
  /** Calls the provider's API with the credential, as a caller would: true when it is accepted. */
  callApi(credential: HandedOutCredential): Promise<boolean>;
  /** Whether the provider accepts this access token now, or accepted it at `at` unless revoked since (without an HTTP call). */
  acceptsAccessToken(token: string, at?: number): boolean;
  isRefreshTokenLive(token: string): boolean;
  /** The user removes the app's access at the provider; answers how many grants ended. */
  revokeGrantsOf(user: string): number;
  stats(): ServerStats;
}

export interface ProviderSimulator {
  readonly url: string;
  provider(profileId: string): SimulatedProvider;
  stop(): Promise<void>;
}

export async function startProviderSimulator(options: SimulatorOptions): Promise<ProviderSimulator> {
  const mounted = new Map<string, { endpoints: ProfileEndpoints; provider: SimulatedProvider }>();
  const server = createServer((request, response) => {
    void serve(request, response, mounted);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  for (const profile of PROFILES) {
    const base = `${url}/${profile.id}`;
    const authorizationServer = new AuthorizationServer(profile.rules, options.accessTokenLifetimeSeconds, `${profile.id}-`);
    const endpoints = profile.create({ server: authorizationServer, base });
    mounted.set(profile.id, {
      endpoints,
      provider: {
        profile,
        base,
        registerClient: (client) => authorizationServer.registerClient(client),
        localUrl: (providerUrl) => {
          const hostAndPath = /^https:\/\/(.+)$/.exec(providerUrl)?.[1];
          if (hostAndPath === undefined) throw new Error(`not an https provider URL: ${providerUrl}`);
          return `${base}/${hostAndPath}`;
        },
        callApi: (credential) => endpoints.callApi(credential),
        acceptsAccessToken: (token, at) => authorizationServer.grantOfAccessToken(token, at) !== undefined,
        isRefreshTokenLive: (token) => authorizationServer.isRefreshTokenLive(token),
        revokeGrantsOf: (user) => authorizationServer.revokeGrantsOf(user),
        stats: () => authorizationServer.stats(),
      },
    });
  }

  return {
    url,
    provider(profileId) {
      const found = mounted.get(profileId);
      if (!found) throw new Error(`no simulated provider ${profileId}`);
      return found.provider;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serve(request: IncomingMessage, response: ServerResponse, mounted: Map<string, { endpoints: ProfileEndpoints }>): Promise<void> {
  let answer: Answer;
  try {
    const target = new URL(request.url ?? '/', 'http://simulator');
    const [, profileId = '', ...rest] = target.pathname.split('/');
    const endpoints = mounted.get(profileId)?.endpoints;
    const exchange = await readExchange(request, `/${rest.join('/')}`, target.searchParams);
    answer = (endpoints && (await endpoints.handle(exchange))) ?? { status: 404, headers: { 'content-type': 'text/plain' }, body: 'not found' };
  } catch (error) {
    answer = { status: 500, headers: { 'content-type': 'text/plain' }, body: error instanceof Error ? error.message : 'simulator failure' };
  }
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}
