/**
 * An OAuth 2.0 token endpoint of the tests' own (client credentials grant, RFC 6749 §4.4): no
 * public authorization server can be reached from the test machines, and none is packaged in
 * Debian. It checks the client id and secret (HTTP basic or form fields) and issues a fixed
 * access token that nginx's `/bearer` location accepts, so the token is then used against the
 * real nginx.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OAuthServerOptions {
  clientId: string;
  clientSecret: string;
  accessToken: string;
  /** Scopes the client may ask for (others get invalid_scope). */
  scopes?: string[];
}

export interface OAuthServer {
  tokenUrl: string;
  /** Requests seen, without secrets: how the client authenticated. */
  requests: Array<{ clientAuth: 'basic' | 'body' | 'none'; grantType: string | null; scope: string | null }>;
  stop(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export async function startOAuthServer(options: OAuthServerOptions): Promise<OAuthServer> {
  const requests: OAuthServer['requests'] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/oauth/token') return json(res, 404, { error: 'not_found' });
      const form = new URLSearchParams(raw);
      let id: string | null = null;
      let secret: string | null = null;
      let clientAuth: 'basic' | 'body' | 'none' = 'none';
      const header = req.headers.authorization ?? '';
      if (header.startsWith('Basic ')) {
        const [u, p] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
        const dec = (s: string | undefined) => (s === undefined ? null : decodeURIComponent(s.replace(/\+/g, ' ')));
        [id, secret, clientAuth] = [dec(u), dec(p), 'basic'];
      } else if (form.has('client_id')) {
        [id, secret, clientAuth] = [form.get('client_id'), form.get('client_secret'), 'body'];
      }
      requests.push({ clientAuth, grantType: form.get('grant_type'), scope: form.get('scope') });
      if (id !== options.clientId || secret !== options.clientSecret) {
        return json(res, 401, { error: 'invalid_client', error_description: 'Client authentication failed.' }, { 'www-authenticate': 'Basic realm="token"' });
      }
      if (form.get('grant_type') !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
      const scope = form.get('scope');
      if (scope && options.scopes && !scope.split(' ').every((s) => options.scopes!.includes(s))) {
        return json(res, 400, { error: 'invalid_scope', error_description: 'The requested scope is not allowed.' });
      }
      json(res, 200, { access_token: options.accessToken, token_type: 'Bearer', expires_in: 3600 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    tokenUrl: `http://127.0.0.1:${port}/oauth/token`,
    requests,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
