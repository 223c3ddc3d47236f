/**
 * HTTP connections: sends the connection's request with its authentication (basic, bearer, API
 * key, OAuth 2.0 client credentials, mutual TLS) and judges the answer. Success means a 2xx
 * answer to `method url`: the server accepted the credentials for that resource.
 *
 * Uses node:http(s) rather than fetch: a per-connection trusted CA and client certificate need
 * TLS options fetch does not take without a dispatcher package.
 */
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import type { ConnectionTester } from '../core/tester';
import {
  TestFailure,
  classifyNetworkError,
  credentialValues,
  required,
  runTest,
  str,
  sub,
  unknownFailure,
  type Attempt,
} from './common';
import { clientCertificate, peerDetails, trustedCas } from './tls';

const AUTH_TYPES = ['basic', 'bearer', 'apiKey', 'oauth2ClientCredentials', 'mtls'] as const;
type AuthType = (typeof AUTH_TYPES)[number];
const MAX_BODY = 64 * 1024;

interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  tls: Record<string, string>;
}

interface RequestSpec {
  method: string;
  headers: Record<string, string>;
  body?: string;
  tls: https.RequestOptions;
}

export const test: ConnectionTester = async (connection, options) => {
  const secrets = credentialValues(connection);
  let url: URL | undefined;
  try {
    url = new URL(String(connection.url ?? ''));
  } catch {
    /* reported below, inside runTest, as a config failure */
  }
  const target = url ? `${url.origin}${url.pathname}` : 'the connection';
  return runTest(options, { target, secrets, classify: (e) => classifyNetworkError(e, url?.host ?? target) ?? unknownFailure(e, target) }, async (ctx) => {
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      throw new TestFailure('config', 'url must be an absolute http:// or https:// URL — fix it in connections.yaml.');
    }
    if (url.username || url.password) {
      throw new TestFailure('config', 'url must not carry a user name or password — use an auth block with a secret reference instead.');
    }
    const method = (str(connection, 'method') ?? 'GET').toUpperCase();
    const auth = sub(connection, 'auth');
    const authType = auth ? (str(auth, 'type', 'auth.type') as AuthType | undefined) : undefined;
    if (auth && (!authType || !AUTH_TYPES.includes(authType))) {
      throw new TestFailure('config', `auth.type must be one of ${AUTH_TYPES.join(', ')} — fix it in connections.yaml.`);
    }
    const tlsOptions: https.RequestOptions = {};
    const ca = trustedCas(str(connection, 'caCert') ?? (auth && str(auth, 'caCert', 'auth.caCert')), auth && str(auth, 'caCert') ? 'auth.caCert' : 'caCert');
    if (ca) tlsOptions.ca = ca;
    const headers: Record<string, string> = { accept: '*/*', 'user-agent': 'connection-secrets-tester' };
    ctx.details.authType = authType ?? 'none';

    switch (authType) {
      case 'basic': {
        const username = required(auth!, 'username', 'auth.username');
        const password = str(auth!, 'password', 'auth.password') ?? '';
        headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
        break;
      }
      case 'bearer':
        // `token: "Bearer {{…}}"` (the whole header value) is as common as the bare token.
        headers.authorization = `Bearer ${headerValue(required(auth!, 'token', 'auth.token'), 'auth.token').replace(/^Bearer\s+/i, '')}`;
        break;
      case 'apiKey': {
        const name = str(auth!, 'header', 'auth.header') ?? 'X-API-Key';
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new TestFailure('config', 'auth.header is not a valid HTTP header name — fix it in connections.yaml.');
        headers[name.toLowerCase()] = headerValue(required(auth!, 'value', 'auth.value'), 'auth.value');
        ctx.details.apiKeyHeader = name;
        break;
      }
      case 'oauth2ClientCredentials': {
        const token = await fetchToken(auth!, tlsOptions, ctx, secrets);
        headers.authorization = `Bearer ${token}`;
        break;
      }
      case 'mtls': {
        const client = clientCertificate(required(auth!, 'certificate', 'auth.certificate'), required(auth!, 'privateKey', 'auth.privateKey'), str(auth!, 'passphrase', 'auth.passphrase'), 'auth');
        if (url.protocol !== 'https:') throw new TestFailure('config', 'Mutual TLS needs an https:// url — fix url in connections.yaml.');
        Object.assign(tlsOptions, { cert: client.cert, key: client.key, passphrase: client.passphrase });
        ctx.details.clientCertificate = client.subject;
        ctx.details.clientCertificateExpires = client.validTo;
        break;
      }
    }

    let answer: HttpAnswer;
    try {
      answer = await send(url, { method, headers, tls: tlsOptions }, ctx);
    } catch (e) {
      throw classifyRequestError(e, url, authType);
    }
    Object.assign(ctx.details, answer.tls, { httpStatus: String(answer.status) });
    if (answer.headers.server) ctx.details.server = String(answer.headers.server).slice(0, 100);
    return judge(answer, url, method, authType);
  });
};

/** Header values cannot hold line breaks; say so without echoing the value (Node's error would). */
function headerValue(value: string, field: string): string {
  const v = value.trim();
  if (/[\r\n\0]/.test(v)) throw new TestFailure('config', `${field} contains a line break, which an HTTP header cannot hold — store the value on one line.`);
  return v;
}

function classifyRequestError(e: unknown, url: URL, authType: AuthType | undefined): TestFailure {
  if (e instanceof TestFailure) return e;
  const code = (e as { code?: string }).code ?? '';
  // A server that rejects the client certificate during the handshake answers with a TLS alert.
  if (authType === 'mtls' && /ALERT_(UNKNOWN_CA|BAD_CERTIFICATE|CERTIFICATE_REQUIRED|CERTIFICATE_UNKNOWN|CERTIFICATE_EXPIRED|CERTIFICATE_REVOKED|ACCESS_DENIED)/.test(code)) {
    return new TestFailure('badCredentials', `${url.host} rejected the client certificate during the TLS handshake (${code}) — use a certificate issued by a CA the server trusts.`, { errorCode: code });
  }
  return classifyNetworkError(e, url.host) ?? unknownFailure(e, `${url.origin}${url.pathname}`);
}

function judge(answer: HttpAnswer, url: URL, method: string, authType: AuthType | undefined) {
  const where = `${url.origin}${url.pathname}`;
  const s = answer.status;
  if (s >= 200 && s < 300) {
    return { message: `${method} ${where} answered HTTP ${s}${authType ? ` with ${describeAuth(authType)} accepted` : ''}.` };
  }
  if (authType === 'mtls' && (s === 400 || s === 401 || s === 403 || s === 495 || s === 496)) {
    // nginx and others answer 400 ("The SSL certificate error") when the client certificate is untrusted.
    throw new TestFailure('badCredentials', `${url.host} rejected the client certificate (HTTP ${s}) — use a certificate issued by a CA the server trusts for client authentication, and not expired.`);
  }
  if (s === 401) {
    const fixes: Record<AuthType | 'none', string> = {
      basic: 'check the user name and the password secret (auth.username, auth.password)',
      bearer: 'the token may be wrong, expired or revoked: store a new one (auth.token)',
      apiKey: 'check the API key secret (auth.value) and the header name (auth.header)',
      oauth2ClientCredentials: 'the token endpoint issued a token this API does not accept: check auth.tokenUrl and auth.scope',
      mtls: 'use a client certificate the server accepts',
      none: 'add an auth block to the connection',
    };
    throw new TestFailure('badCredentials', `${where} rejected the credentials (HTTP 401) — ${fixes[authType ?? 'none']}.`);
  }
  if (s === 403) {
    throw new TestFailure('denied', authType ? `${where} accepted the credentials but denies access (HTTP 403) — grant the account access to this resource, or test a URL it may read.` : `${where} denies access (HTTP 403) — add an auth block, or test a URL that is open.`);
  }
  if (s === 407) throw new TestFailure('config', `A proxy demands authentication (HTTP 407) — testing through authenticating proxies is not supported.`);
  if (s >= 300 && s < 400) {
    const location = typeof answer.headers.location === 'string' ? safeLocation(answer.headers.location, url) : 'elsewhere';
    throw new TestFailure('config', `${where} redirects (HTTP ${s}) to ${location} — set url to the final address (a redirect to a login page means the credentials were not accepted).`);
  }
  if (s === 404 || s === 405) throw new TestFailure('config', `${method} ${where} does not exist (HTTP ${s}) — check url and method.`);
  if (s === 429) throw new TestFailure('unknown', `${where} is throttling requests (HTTP 429) — wait a moment and test again.`);
  if (s >= 500) throw new TestFailure('unknown', `${where} failed with HTTP ${s} — the application has a problem; try again later or check its logs.`);
  throw new TestFailure('config', `${method} ${where} answered HTTP ${s} — check url, method and auth.`);
}

/** A redirect target without its query and fragment, which may carry tokens. */
function safeLocation(location: string, base: URL): string {
  try {
    const u = new URL(location, base);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'another address';
  }
}

function describeAuth(t: AuthType): string {
  return { basic: 'basic auth', bearer: 'the bearer token', apiKey: 'the API key', oauth2ClientCredentials: 'the OAuth access token', mtls: 'the client certificate' }[t];
}

/**
 * OAuth 2.0 client credentials grant (RFC 6749 §4.4). The client authenticates with HTTP basic
 * (§2.3.1, which every server must support) unless `clientAuth: body` asks for form fields.
 */
async function fetchToken(auth: Record<string, unknown>, tlsOptions: https.RequestOptions, ctx: Attempt, secrets: string[]): Promise<string> {
  const tokenUrlText = required(auth, 'tokenUrl', 'auth.tokenUrl');
  let tokenUrl: URL;
  try {
    tokenUrl = new URL(tokenUrlText);
  } catch {
    throw new TestFailure('config', 'auth.tokenUrl must be an absolute https:// URL — fix it in connections.yaml.');
  }
  if (tokenUrl.protocol !== 'https:' && tokenUrl.protocol !== 'http:') throw new TestFailure('config', 'auth.tokenUrl must be an https:// URL — fix it in connections.yaml.');
  const clientId = required(auth, 'clientId', 'auth.clientId');
  const clientSecret = required(auth, 'clientSecret', 'auth.clientSecret');
  const scope = str(auth, 'scope', 'auth.scope');
  const clientAuth = str(auth, 'clientAuth', 'auth.clientAuth') ?? 'basic';
  if (clientAuth !== 'basic' && clientAuth !== 'body') throw new TestFailure('config', 'auth.clientAuth must be basic or body — fix it in connections.yaml.');
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (scope) form.set('scope', scope);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', 'user-agent': 'connection-secrets-tester' };
  if (clientAuth === 'basic') {
    const enc = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
    headers.authorization = `Basic ${Buffer.from(`${enc(clientId)}:${enc(clientSecret)}`).toString('base64')}`;
  } else {
    form.set('client_id', clientId);
    form.set('client_secret', clientSecret);
  }
  const where = `token endpoint ${tokenUrl.origin}${tokenUrl.pathname}`;
  let answer: HttpAnswer;
  try {
    answer = await send(tokenUrl, { method: 'POST', headers, body: form.toString(), tls: tlsOptions }, ctx);
  } catch (e) {
    if (e instanceof TestFailure) throw e;
    const f = classifyNetworkError(e, `the ${where}`) ?? unknownFailure(e, where);
    throw f;
  }
  ctx.details.tokenEndpointStatus = String(answer.status);
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(answer.body) as Record<string, unknown>;
  } catch {
    /* judged by status below */
  }
  if (answer.status >= 200 && answer.status < 300) {
    const token = typeof body.access_token === 'string' ? body.access_token : '';
    if (!token) throw new TestFailure('config', `The ${where} answered without an access_token — check auth.tokenUrl.`);
    // The issued token is a credential too: keep it out of every message.
    secrets.push(token);
    if (typeof body.token_type === 'string') ctx.details.tokenType = body.token_type;
    if (typeof body.expires_in === 'number') ctx.details.tokenExpiresIn = `${body.expires_in} s`;
    return headerValue(token, 'the access token');
  }
  const error = typeof body.error === 'string' ? body.error : '';
  const description = typeof body.error_description === 'string' ? `: ${body.error_description.split('\n')[0].slice(0, 160)}` : '';
  const status = `HTTP ${answer.status}${error ? ` ${error}` : ''}${description}`;
  if (error === 'invalid_client' || (!error && answer.status === 401)) {
    throw new TestFailure('badCredentials', `The ${where} rejected the client id or secret (${status}) — check auth.clientId and the secret behind auth.clientSecret${clientAuth === 'basic' ? ', or set auth.clientAuth: body if the server wants them as form fields' : ''}.`);
  }
  if (error === 'unauthorized_client') throw new TestFailure('denied', `The client may not use the client credentials grant (${status}) — enable that grant for the client at the authorization server.`);
  if (error === 'invalid_scope') throw new TestFailure('config', `The ${where} rejected the scope (${status}) — fix auth.scope.`);
  if (answer.status === 404) throw new TestFailure('config', `The ${where} does not exist (HTTP 404) — fix auth.tokenUrl.`);
  if (answer.status >= 500) throw new TestFailure('unknown', `The ${where} failed (${status}) — try again later.`);
  throw new TestFailure('config', `The ${where} refused the request (${status}) — check auth.tokenUrl, auth.scope and auth.clientAuth.`);
}

/** One request, no redirects followed, body read up to 64 KiB; rejects on socket/TLS errors. */
function send(url: URL, spec: RequestSpec, ctx: Attempt): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const isHttps = url.protocol === 'https:';
    const headers = { ...spec.headers };
    if (spec.body !== undefined) headers['content-length'] = String(Buffer.byteLength(spec.body));
    const options: https.RequestOptions = {
      method: spec.method,
      headers,
      signal: ctx.signal,
      // A fresh connection per test: pooled sockets would reuse another connection's TLS identity.
      agent: false,
      ...(isHttps ? spec.tls : {}),
    };
    const req = (isHttps ? https : http).request(url, options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const tlsFacts = isHttps ? peerDetails(res.socket as tls.TLSSocket) : {};
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY), tls: tlsFacts }));
      res.on('error', reject);
    });
    ctx.onCleanup(() => req.destroy());
    req.on('error', reject);
    req.end(spec.body);
  });
}
