/**
 * A loopback HTTP proxy in front of a real server that records every request (method, path,
 * namespace header) so tests and benches can count what a client sends, and can answer some
 * requests itself (e.g. the HTML 403 page of a corporate proxy, which no real Vault produces).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** Path and query, as received. */
  url: string;
  /** `X-Vault-Namespace`, when sent. */
  namespace?: string;
  status?: number;
}

export interface CountingProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Requests whose url matches (substring or RegExp). */
  count(match?: string | RegExp): number;
  reset(): void;
  /** Answer matching requests here instead of forwarding them; undefined = forward. */
  intercept?: (req: http.IncomingMessage) => { status: number; contentType: string; body: string } | undefined;
  stop(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const targetUrl = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const proxy: CountingProxy = {
    url: '',
    requests: [],
    count(match) {
      if (!match) return this.requests.length;
      return this.requests.filter((r) => (typeof match === 'string' ? r.url.includes(match) : match.test(r.url))).length;
    },
    reset() {
      this.requests.length = 0;
    },
    stop: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const record: ProxiedRequest = { method: req.method ?? '', url: req.url ?? '', namespace: req.headers['x-vault-namespace'] as string | undefined };
    proxy.requests.push(record);
    const canned = proxy.intercept?.(req);
    if (canned) {
      record.status = canned.status;
      req.resume();
      res.writeHead(canned.status, { 'Content-Type': canned.contentType });
      res.end(canned.body);
      return;
    }
    const upstream = http.request(
      { host: targetUrl.hostname, port: targetUrl.port, method: req.method, path: req.url, headers: { ...req.headers, host: targetUrl.host }, agent },
      (up) => {
        record.status = up.statusCode;
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end('upstream error');
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return proxy;
}
