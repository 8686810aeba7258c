import { CredentialBrokerClient } from './client';
import { CredentialBrokerError } from './errors';

interface Sent {
  url: string;
  init: RequestInit;
}

function clientAnswering(answer: () => Response): { client: CredentialBrokerClient; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetchImpl = ((url: URL | string, init?: RequestInit) => {
    sent.push({ url: String(url), init: init ?? {} });
    return Promise.resolve(answer());
  }) as typeof fetch;
  return { client: new CredentialBrokerClient({ baseUrl: 'https://broker.example.com/', apiKey: 'cbk_test', fetch: fetchImpl }), sent };
}

describe('broker.proxy', () => {
  it("sends the method, path, query, headers and body to /v1/proxy/:connectionId and resolves to the provider's answer", async () => {
    const { client, sent } = clientAnswering(() => new Response('{"id":1}', { status: 201, headers: { 'content-type': 'application/json' } }));
    const answer = await client.proxy.post('c0ffee00-0000-4000-8000-000000000001', '/v2/items?a=1', {
      query: { b: '2' },
      headers: { 'content-type': 'application/json' },
      body: '{"name":"x"}',
      retries: 2,
    });
    expect(answer.status).toBe(201);
    expect(await answer.json()).toEqual({ id: 1 });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe('https://broker.example.com/v1/proxy/c0ffee00-0000-4000-8000-000000000001/v2/items?a=1&b=2');
    expect(sent[0]?.init).toMatchObject({
      method: 'POST',
      body: '{"name":"x"}',
      redirect: 'manual',
      headers: { 'content-type': 'application/json', authorization: 'Bearer cbk_test', 'x-retries': '2' },
    });
  });

  it.each(['get', 'put', 'patch', 'delete'] as const)('%s uses its method', async (method) => {
    const { client, sent } = clientAnswering(() => new Response(null, { status: 204 }));
    await client.proxy[method]('c1', 'x');
    expect(sent[0]?.init.method).toBe(method.toUpperCase());
    expect(sent[0]?.url).toBe('https://broker.example.com/v1/proxy/c1/x');
  });

  it("hands back the provider's errors as answers, not exceptions", async () => {
    const { client } = clientAnswering(() => new Response('slow down', { status: 429, headers: { 'retry-after': '7' } }));
    const answer = await client.proxy.get('c1', '/x');
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('7');
  });

  it("throws the broker's own errors (X-Broker-Error: true) as CredentialBrokerError with their code", async () => {
    const { client } = clientAnswering(
      () => new Response(JSON.stringify({ error: { code: 'proxy_path_refused', message: 'The proxied path is refused.', details: { problem: 'dot_segment' } } }), { status: 400, headers: { 'x-broker-error': 'true', 'content-type': 'application/json' } }),
    );
    const refused = await client.proxy.get('c1', '/a/../b').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CredentialBrokerError);
    expect(refused).toMatchObject({ code: 'proxy_path_refused', status: 400, details: { problem: 'dot_segment' } });
  });
});
