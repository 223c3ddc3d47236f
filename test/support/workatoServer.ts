/**
 * A stand-in for Workato's Developer API of the tests' own: the real one cannot be reached from
 * the test machines and has no local edition. It serves `POST /api/secrets_management/clear_cache`
 * as documented (Bearer API token; `{"success": true}`; 401 for an unknown token) and enforces a
 * request quota per window with 429 + Retry-After, like the documented 60 requests a minute —
 * scaled down so tests do not wait a minute. `script` queues canned answers (5xx, 403 …) first.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CannedAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface WorkatoServerOptions {
  token: string;
  /** Quota: at most `requests` per `windowMs` (default 60 per minute, as documented). */
  quota?: { requests: number; windowMs: number };
}

export interface WorkatoServer {
  baseUrl: string;
  /** Every request seen: method, path and whether the bearer token matched (never the token). */
  requests: Array<{ method: string; path: string; tokenOk: boolean; at: number }>;
  /** Answers to give before the normal behaviour, in order. */
  script: CannedAnswer[];
  stop(): Promise<void>;
}

export async function startWorkatoServer(options: WorkatoServerOptions): Promise<WorkatoServer> {
  const quota = options.quota ?? { requests: 60, windowMs: 60_000 };
  let windowStart = Date.now();
  let used = 0;
  const state: Omit<WorkatoServer, 'stop'> = { baseUrl: '', requests: [], script: [] };
  const send = (res: http.ServerResponse, a: CannedAnswer) => {
    res.writeHead(a.status, { 'content-type': 'application/json; charset=utf-8', ...a.headers });
    res.end(a.body === undefined ? '' : JSON.stringify(a.body));
  };
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const tokenOk = req.headers.authorization === `Bearer ${options.token}`;
      state.requests.push({ method: req.method ?? '', path: req.url ?? '', tokenOk, at: Date.now() });
      const canned = state.script.shift();
      if (canned) return send(res, canned);
      if (req.url !== '/api/secrets_management/clear_cache') return send(res, { status: 404, body: { message: 'Not found' } });
      if (req.method !== 'POST') return send(res, { status: 405, body: { message: 'Method not allowed' } });
      const now = Date.now();
      if (now - windowStart >= quota.windowMs) {
        windowStart = now;
        used = 0;
      }
      if (++used > quota.requests) {
        const retryAfter = Math.max(1, Math.ceil((windowStart + quota.windowMs - now) / 1000));
        return send(res, { status: 429, headers: { 'retry-after': String(retryAfter) }, body: { message: 'Too many requests' } });
      }
      if (!tokenOk) return send(res, { status: 401, body: { message: 'Unauthorized' } });
      send(res, { status: 200, body: { success: true } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
