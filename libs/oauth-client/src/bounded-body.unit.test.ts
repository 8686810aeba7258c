import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import {
  buildIntrospectionRequest,
  buildRevocationRequest,
  buildTokenRequest,
  MAX_RESPONSE_BYTES,
  requestIntrospection,
  requestRevocation,
  requestToken,
  type TokenError,
  type TokenRequest,
} from '@cb/oauth-client';

/** What the server saw of one answer: body bytes it handed to the socket, and when the client hung up. */
interface Exchange {
  written: number;
  readonly closed: Promise<number>;
}

type Behaviour = (response: ServerResponse, exchange: Exchange) => void;

/** A provider on loopback whose answer each test writes, recording what it managed to send. */
class HostileEndpoint {
  behaviour: Behaviour = (response) => response.end();
  readonly exchanges: Exchange[] = [];
  private readonly server: Server = createServer((request: IncomingMessage, response: ServerResponse) => {
    request.resume();
    request.on('end', () => {
      const exchange = { written: 0, closed: new Promise<number>((resolve) => response.socket?.once('close', () => resolve(Date.now()))) };
      this.exchanges.push(exchange);
      this.behaviour(response, exchange);
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/token`;
  }

  last(): Exchange {
    const exchange = this.exchanges.at(-1);
    if (exchange === undefined) throw new Error('no request reached the endpoint');
    return exchange;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * 16 KiB chunks until the connection closes, each written once the socket has taken the one before
 * (as fast as the client reads), up to four times IN_FLIGHT: far more than any limit lets through,
 * and a bound on what a client without the limit could take into memory.
 */
const streamForever: Behaviour = (response, exchange) => {
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.write('{"access_token":"');
  const chunk = Buffer.alloc(16 * 1024, 'a');
  const next = (): void => {
    if (response.destroyed) return;
    if (exchange.written >= 4 * IN_FLIGHT) {
      response.end('"}');
      return;
    }
    exchange.written += chunk.length;
    response.write(chunk, (error) => {
      if (!error) next();
    });
  };
  next();
};

/** Headers that announce `length` bytes, then nothing: a client that waits for the body waits for the timeout. */
const announce =
  (length: number, status = 200, headers: Record<string, string> = {}): Behaviour =>
  (response) => {
    response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(length), ...headers });
    response.flushHeaders();
  };

/** A token response of exactly `length` bytes, with `Content-Length` or chunked. */
function tokenResponseOf(length: number): Buffer {
  const bare = JSON.stringify({ access_token: 'at', token_type: 'Bearer', pad: '' });
  return Buffer.from(JSON.stringify({ access_token: 'at', token_type: 'Bearer', pad: 'p'.repeat(length - bare.length) }));
}

const sendWhole =
  (body: Buffer, framing: 'content-length' | 'chunked'): Behaviour =>
  (response, exchange) => {
    response.writeHead(200, { 'Content-Type': 'application/json', ...(framing === 'content-length' ? { 'Content-Length': String(body.length) } : {}) });
    for (let offset = 0; offset < body.length; offset += 10_000) response.write(body.subarray(offset, offset + 10_000));
    exchange.written = body.length;
    response.end();
  };

/** Rejects when `promise` does not settle within `ms`: the condition, with its deadline. */
async function within<T>(promise: Promise<T>, ms: number, description: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${description}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** `gc()`, exposed for this process without a command-line flag. */
function garbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const LOCAL = { admitInternalAddresses: true, allowedHosts: [], allowedCidrs: [] };
/** Far above what any of these answers should take: an answer near it means the limit did not act. */
const TIMEOUT_MS = 10_000;
const WELL_BEFORE_THE_TIMEOUT_MS = 2_000;
/**
 * What the server may have handed to the socket besides the limit when the client hangs up: loopback
 * buffers (Linux grows them to a few MiB) take writes before the client reads its first bytes. A
 * client without the limit would take the whole stream (four times this).
 */
const IN_FLIGHT = 16 * 1024 * 1024;

const endpoint = new HostileEndpoint();
beforeAll(() => endpoint.start());
afterAll(() => endpoint.stop());

const tokenRequest = (): TokenRequest =>
  buildTokenRequest({ tokenUrl: endpoint.url, client: { clientId: 'client', clientSecret: 'secret' }, grant: { grantType: 'refresh_token', refreshToken: 'refresh-SECRET' } });
const aboutToken = { client: { clientId: 'client', clientSecret: 'secret' }, token: 'access-SECRET' };

async function failed(promise: Promise<{ ok: boolean }>): Promise<TokenError> {
  const result = await promise;
  if (result.ok) throw new Error('expected an error');
  return result as TokenError;
}

async function timed<T>(work: () => Promise<T>): Promise<{ result: T; elapsedMs: number }> {
  const started = Date.now();
  const result = await work();
  return { result, elapsedMs: Date.now() - started };
}

describe(`the ${MAX_RESPONSE_BYTES}-byte limit on a provider's answer`, () => {
  it('is 64 KiB', () => {
    expect(MAX_RESPONSE_BYTES).toBe(65_536);
  });

  it('ends a token answer that streams for ever with response_too_large, well before the timeout, and closes the connection', async () => {
    endpoint.behaviour = streamForever;
    const { result, elapsedMs } = await timed(() => failed(requestToken(tokenRequest(), { outbound: LOCAL, timeoutMs: TIMEOUT_MS })));
    expect(result).toEqual({
      ok: false,
      code: 'response_too_large',
      description: "the provider's answer is longer than 65536 bytes (the limit); it was not read",
      status: 200,
      retriable: false,
      reconnectRequired: false,
      ambiguous: false,
    });
    expect(elapsedMs).toBeLessThan(WELL_BEFORE_THE_TIMEOUT_MS);
    const exchange = endpoint.last();
    await within(exchange.closed, WELL_BEFORE_THE_TIMEOUT_MS, 'the client to close the connection');
    // closed, so nothing more can be sent: what was sent stays the limit plus what socket buffers held
    expect(exchange.written).toBeLessThan(MAX_RESPONSE_BYTES + IN_FLIGHT);
  });

  it('ends a streaming introspection or revocation answer the same way', async () => {
    endpoint.behaviour = streamForever;
    const introspection = await failed(requestIntrospection(buildIntrospectionRequest({ introspectionUrl: endpoint.url, ...aboutToken }), { outbound: LOCAL, timeoutMs: TIMEOUT_MS }));
    await within(endpoint.last().closed, WELL_BEFORE_THE_TIMEOUT_MS, 'the introspection connection to close');
    const revocation = await failed(requestRevocation(buildRevocationRequest({ revocationUrl: endpoint.url, ...aboutToken }), { outbound: LOCAL, timeoutMs: TIMEOUT_MS }));
    await within(endpoint.last().closed, WELL_BEFORE_THE_TIMEOUT_MS, 'the revocation connection to close');
    expect([introspection.code, revocation.code]).toEqual(['response_too_large', 'response_too_large']);
  });

  it('refuses a Content-Length above the limit without reading: no body was sent, yet the answer is immediate', async () => {
    endpoint.behaviour = announce(500 * 1024 * 1024);
    const { result, elapsedMs } = await timed(() => failed(requestToken(tokenRequest(), { outbound: LOCAL, timeoutMs: TIMEOUT_MS })));
    expect(result).toMatchObject({ code: 'response_too_large', status: 200, retriable: false });
    expect(elapsedMs).toBeLessThan(WELL_BEFORE_THE_TIMEOUT_MS);
    await within(endpoint.last().closed, WELL_BEFORE_THE_TIMEOUT_MS, 'the client to close the connection');
    expect(endpoint.last().written).toBe(0);
  });

  it('accepts an answer of exactly the limit, and refuses one byte more, with or without Content-Length', async () => {
    for (const framing of ['content-length', 'chunked'] as const) {
      endpoint.behaviour = sendWhole(tokenResponseOf(MAX_RESPONSE_BYTES), framing);
      const accepted = await requestToken(tokenRequest(), { outbound: LOCAL, timeoutMs: TIMEOUT_MS });
      expect({ framing, accepted }).toMatchObject({ framing, accepted: { ok: true, accessToken: 'at' } });
      expect(endpoint.last().written).toBe(MAX_RESPONSE_BYTES);
      endpoint.behaviour = sendWhole(tokenResponseOf(MAX_RESPONSE_BYTES + 1), framing);
      const refused = await requestToken(tokenRequest(), { outbound: LOCAL, timeoutMs: TIMEOUT_MS });
      expect({ framing, refused }).toMatchObject({ framing, refused: { ok: false, code: 'response_too_large' } });
    }
  });

  it('counts decoded bytes: a 10 KiB gzip body that inflates to 10 MiB is refused', async () => {
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, ' '));
    endpoint.behaviour = (response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': String(bomb.length) });
      response.end(bomb);
    };
    expect(bomb.length).toBeLessThan(MAX_RESPONSE_BYTES);
    expect(await failed(requestToken(tokenRequest(), { outbound: LOCAL, timeoutMs: TIMEOUT_MS }))).toMatchObject({ code: 'response_too_large' });
  });

  it('is transient when the status says the server failed: a long 503 page keeps its Retry-After', async () => {
    endpoint.behaviour = announce(MAX_RESPONSE_BYTES + 1, 503, { 'Retry-After': '7' });
    expect(await failed(requestToken(tokenRequest(), { outbound: LOCAL, timeoutMs: TIMEOUT_MS }))).toMatchObject({
      code: 'response_too_large',
      status: 503,
      retriable: true,
      reconnectRequired: false,
      retryAfterSeconds: 7,
    });
  });

  it('leaves the timeout to a body that trickles in below the limit and never ends, even while garbage is collected', async () => {
    endpoint.behaviour = (response, exchange) => {
      response.writeHead(200, { 'Content-Type': 'application/json' });
      const timer = setInterval(() => {
        exchange.written += 1;
        response.write(' ');
      }, 20);
      response.once('close', () => clearInterval(timer));
    };
    // A deadline signal that garbage collection could take (AbortSignal.any over AbortSignal.timeout on Node 20) never fires.
    const collect = garbageCollector();
    const collecting = setInterval(collect, 25);
    try {
      const answer = requestToken(tokenRequest(), { outbound: LOCAL, timeoutMs: 300 });
      expect(await within(failed(answer), WELL_BEFORE_THE_TIMEOUT_MS, 'the timeout to end the request')).toMatchObject({ code: 'timeout', retriable: true, ambiguous: true });
    } finally {
      clearInterval(collecting);
    }
    await within(endpoint.last().closed, WELL_BEFORE_THE_TIMEOUT_MS, 'the client to close the connection');
  });

  it('holds for a fetch implementation given in its place, which is cancelled and aborted', async () => {
    let cancelled = false;
    let signal: AbortSignal | undefined;
    let produced = 0;
    // endless as far as the limit can tell; it gives up after 16 MiB so that a client without the
    // limit fails the test instead of filling the machine's memory
    const endless = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        await new Promise((resolve) => setImmediate(resolve));
        produced += 16 * 1024;
        if (produced > IN_FLIGHT) controller.error(new Error('16 MiB read'));
        else controller.enqueue(new Uint8Array(16 * 1024));
      },
      cancel: () => {
        cancelled = true;
      },
    });
    const fetchImpl = jest.fn((_url: string | URL | Request, init?: RequestInit) => {
      signal = init?.signal ?? undefined;
      return Promise.resolve(new Response(endless, { headers: { 'content-type': 'application/json' } }));
    });
    expect(await failed(requestToken(tokenRequest(), { outbound: LOCAL, timeoutMs: TIMEOUT_MS, fetchImpl }))).toMatchObject({ code: 'response_too_large' });
    expect(cancelled).toBe(true);
    expect(signal?.aborted).toBe(true);
    expect(produced).toBeLessThanOrEqual(MAX_RESPONSE_BYTES + 16 * 1024);
  });
});
