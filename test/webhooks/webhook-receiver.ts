/**
 * A customer's webhook endpoint: a local HTTP server that records every delivery it receives and
 * answers by path: `/ok` 200, `/flaky` 500 to the first attempt of each webhook-id then 200, `/down`
 * 500 always, `/hang` never answers (the broker's attempt timeout ends it), `/hold-first` never answers
 * its very first request and 200 to every other. It verifies nothing
 * itself: tests verify with `standardwebhooks` exactly as a customer would.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedDelivery {
  path: string;
  webhookId: string;
  timestamp: string;
  signature: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
  answered: number | 'hung';
}

export class WebhookReceiver {
  readonly received: ReceivedDelivery[] = [];
  /** Requests to `/hang` still open. */
  hanging = 0;
  private readonly seenFlaky = new Set<string>();
  private readonly held: ServerResponse[] = [];
  private heldFirst = false;
  private server!: Server;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  at(path: string): ReceivedDelivery[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Deliveries at `path` whose body is of `type`. */
  ofType(path: string, type: string): ReceivedDelivery[] {
    return this.at(path).filter((r) => (JSON.parse(r.body) as { type: string }).type === type);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const path = (request.url ?? '').split('?')[0] ?? '';
    const header = (name: string): string => String(request.headers[name] ?? '');
    const headers = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k, String(v)]));
    const delivery: ReceivedDelivery = {
      path,
      webhookId: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
      headers,
      body: Buffer.concat(chunks).toString('utf8'),
      receivedAt: Date.now(),
      answered: 200,
    };
    this.received.push(delivery);
    const holdThis = path === '/hold-first' && !this.heldFirst;
    if (holdThis) this.heldFirst = true;
    if (path === '/hang' || holdThis) {
      delivery.answered = 'hung';
      this.hanging++;
      this.held.push(response);
      response.on('close', () => this.hanging--);
      return;
    }
    let status = 200;
    if (path === '/down') status = 500;
    if (path === '/flaky' && !this.seenFlaky.has(delivery.webhookId)) {
      this.seenFlaky.add(delivery.webhookId);
      status = 500;
    }
    delivery.answered = status;
    response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'thanks' : `broken ${'x'.repeat(2000)}`);
  }
}

/** What a customer does with a delivery: `Webhook.verify` throws unless a signature matches and the timestamp is recent. */
export function verifies(secret: string, delivery: ReceivedDelivery): boolean {
  try {
    new Webhook(secret).verify(delivery.body, { 'webhook-id': delivery.webhookId, 'webhook-timestamp': delivery.timestamp, 'webhook-signature': delivery.signature });
    return true;
  } catch {
    return false;
  }
}

export interface WebhookBody {
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  cloudevents: { id: string; type: string; source: string; specversion: string; time: string; subject: string };
}

export function bodyOf(delivery: ReceivedDelivery): WebhookBody {
  return JSON.parse(delivery.body) as WebhookBody;
}
