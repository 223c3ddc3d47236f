/**
 * A TCP listener that accepts connections and never says a word: the "host that does not answer"
 * case (a firewall that drops traffic after the SYN, a hung server). Nothing real can be made to
 * hang on cue, so this is the tests' own.
 */
import net from 'node:net';

export interface SilentServer {
  port: number;
  stop(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
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
