/**
 * A TCP relay that delays every chunk by a fixed time in each direction: stands in for the network
 * between a developer and remote servers (the real servers here all sit on loopback, where a test
 * costs CPU but no waiting). Order is kept; nothing is dropped or changed.
 */
import net from 'node:net';

export interface LatencyProxy {
  port: number;
  stop(): Promise<void>;
}

function delayedPipe(from: net.Socket, to: net.Socket, delayMs: number) {
  const queue: Array<{ at: number; chunk: Buffer | null }> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const now = Date.now();
    while (queue.length && queue[0].at <= now) {
      const { chunk } = queue.shift()!;
      if (chunk === null) to.end();
      else if (!to.destroyed) to.write(chunk);
    }
    if (queue.length) timer = setTimeout(flush, queue[0].at - now);
  };
  const push = (chunk: Buffer | null) => {
    queue.push({ at: Date.now() + delayMs, chunk });
    timer ??= setTimeout(flush, delayMs);
  };
  from.on('data', (c: Buffer) => push(c));
  from.on('end', () => push(null));
  from.on('close', () => {
    if (!queue.length) to.destroy();
  });
}

/** Relays 127.0.0.1:<port> to `target`, adding `oneWayMs` each way (a round trip of twice that). */
export async function startLatencyProxy(target: { host: string; port: number }, oneWayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    client.setNoDelay(true);
    const upstream = net.connect({ host: target.host, port: target.port, noDelay: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delayedPipe(client, upstream, oneWayMs);
    delayedPipe(upstream, client, oneWayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
