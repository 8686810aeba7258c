/**
 * A TCP round-robin in front of a service's instances, as a load balancer or a Kubernetes Service
 * would be: each new connection goes to the next instance; an instance that refuses the connection
 * (stopped, killed) is skipped for the next one. Connections already open to an instance that dies
 * are cut, as they would be in production.
 */
import { createServer, Server, Socket, connect } from 'node:net';
import { AddressInfo } from 'node:net';

export interface RoundRobin {
  url: string;
  /** Connections each target port accepted. */
  accepted: Map<number, number>;
  stop(): Promise<void>;
}

export async function startRoundRobin(targetPorts: readonly number[]): Promise<RoundRobin> {
  let next = 0;
  const accepted = new Map<number, number>(targetPorts.map((port) => [port, 0]));
  const open = new Set<Socket>();

  const forward = (client: Socket, attempt: number): void => {
    if (attempt >= targetPorts.length) {
      client.destroy();
      return;
    }
    const port = targetPorts[next % targetPorts.length] as number;
    next += 1;
    const upstream = connect({ host: '127.0.0.1', port });
    open.add(upstream);
    upstream.once('close', () => open.delete(upstream));
    const refused = (): void => {
      upstream.destroy();
      forward(client, attempt + 1);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      accepted.set(port, (accepted.get(port) ?? 0) + 1);
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  };

  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    forward(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of open) socket.destroy();
      await closed;
    },
  };
}
