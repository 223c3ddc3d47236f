/**
 * The http tester against a real nginx (Debian package) configured at test time with auth_basic,
 * bearer-token and API-key locations, and `ssl_verify_client on` for mutual TLS, all with a test
 * CA made by openssl. The OAuth 2.0 token endpoint is a small server of the tests' own
 * (test/support/oauthServer.ts: no public authorization server can be reached from here); the
 * token it issues is then checked by nginx.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { testConnection } from '../../../src/testers';
import { canary } from '../../support/canary';
import { nginxInstall, nginxInstalled, startNginx, type NginxPeer } from '../../support/nginx';
import { startOAuthServer, type OAuthServer } from '../../support/oauthServer';
import { freePort, missingPeer } from '../../support/peer';
import { hasOpenssl, issueCert, makeCa, type Pem } from '../../support/pki';
import { startSilentServer, type SilentServer } from '../../support/silentServer';
import { assertFailure, assertSuccess } from '../../support/testerAssert';

const keyLines = (pem: string) => pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----'));

describe('http tester (real nginx)', function () {
  let nginx: NginxPeer;
  let oauth: OAuthServer;
  let silent: SilentServer;
  let dir: string;
  let ca: Pem;
  let client: Pem;
  let otherClient: Pem;
  let rogueClient: Pem;
  const secret = {
    password: canary('basic-password'),
    token: canary('bearer-token'),
    apiKey: canary('api-key'),
    clientSecret: canary('oauth-client-secret'),
    accessToken: canary('oauth-access-token'),
    wrong: canary('wrong-secret'),
  };
  let canaries: string[];

  before(async function () {
    if (!nginxInstalled() || !hasOpenssl()) missingPeer(this, 'nginx', nginxInstall);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-http-pki-'));
    ca = makeCa(dir, 'test-ca');
    const rogueCa = makeCa(dir, 'rogue-ca');
    client = issueCert(dir, ca, 'app-client', 'client');
    otherClient = issueCert(dir, ca, 'other-client', 'client');
    rogueClient = issueCert(dir, rogueCa, 'rogue-client', 'client');
    canaries = [...Object.values(secret), ...keyLines(client.key), ...keyLines(otherClient.key), ...keyLines(rogueClient.key)];
    oauth = await startOAuthServer({ clientId: 'app-client-id', clientSecret: secret.clientSecret, accessToken: secret.accessToken, scopes: ['read'] });
    nginx = await startNginx({
      credentials: { basic: { username: 'app', password: secret.password }, bearerTokens: [secret.token, secret.accessToken], apiKey: { header: 'X-API-Key', value: secret.apiKey } },
      serverCert: issueCert(dir, ca, 'nginx-server', 'server'),
      clientCa: ca,
    });
    silent = await startSilentServer();
  });

  after(async () => {
    await nginx?.stop();
    await oauth?.stop();
    await silent?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('basic auth', () => {
    const conn = (url: string, password: string, extra: Record<string, unknown> = {}) => ({ type: 'http', url: `${url}/basic`, auth: { type: 'basic', username: 'app', password }, ...extra });

    it('succeeds with the right password', async () => {
      const r = await testConnection(conn(nginx.httpUrl, secret.password));
      assertSuccess(r, canaries);
      assert.equal(r.details?.httpStatus, '200');
      assert.match(r.details?.server ?? '', /^nginx/);
    });

    it('fails with badCredentials on a wrong password', async () => {
      assertFailure(await testConnection(conn(nginx.httpUrl, secret.wrong)), 'badCredentials', canaries, /HTTP 401.*auth\.password/);
    });

    it('succeeds over https when caCert trusts the server certificate', async () => {
      const r = await testConnection(conn(nginx.httpsUrl, secret.password, { caCert: ca.cert }));
      assertSuccess(r, canaries);
      assert.equal(r.details?.serverCertificateIssuer, 'test-ca');
    });

    it('fails with tls on an untrusted server certificate', async () => {
      assertFailure(await testConnection(conn(nginx.httpsUrl, secret.password)), 'tls', canaries, /not trusted.*caCert/);
    });

    it('fails with tls when https is used against a plain-http port', async () => {
      assertFailure(await testConnection(conn(nginx.httpUrl.replace('http:', 'https:'), secret.password)), 'tls', canaries, /does not speak TLS/);
    });
  });

  describe('bearer token and API key', () => {
    it('succeeds with the right bearer token, and fails with badCredentials on a wrong one', async () => {
      assertSuccess(await testConnection({ type: 'http', url: `${nginx.httpUrl}/bearer`, auth: { type: 'bearer', token: secret.token } }), canaries);
      assertFailure(await testConnection({ type: 'http', url: `${nginx.httpUrl}/bearer`, auth: { type: 'bearer', token: secret.wrong } }), 'badCredentials', canaries, /auth\.token/);
    });

    it('succeeds with the right API key header, and fails with badCredentials on a wrong one', async () => {
      const r = await testConnection({ type: 'http', url: `${nginx.httpUrl}/apikey`, auth: { type: 'apiKey', header: 'X-API-Key', value: secret.apiKey } });
      assertSuccess(r, canaries);
      assert.equal(r.details?.apiKeyHeader, 'X-API-Key');
      assertFailure(await testConnection({ type: 'http', url: `${nginx.httpUrl}/apikey`, auth: { type: 'apiKey', header: 'X-API-Key', value: secret.wrong } }), 'badCredentials', canaries, /auth\.value/);
    });

    it('fails with config on a token holding a line break, without sending it', async () => {
      assertFailure(await testConnection({ type: 'http', url: `${nginx.httpUrl}/bearer`, auth: { type: 'bearer', token: `${secret.token}\nX-Other: 1` } }), 'config', canaries, /line break/);
    });
  });

  describe('OAuth 2.0 client credentials', () => {
    const conn = (auth: Record<string, unknown>, pathName = '/bearer') => ({
      type: 'http',
      url: `${nginx.httpUrl}${pathName}`,
      auth: { type: 'oauth2ClientCredentials', tokenUrl: oauth.tokenUrl, clientId: 'app-client-id', clientSecret: secret.clientSecret, ...auth },
    });

    it('gets a token (client secret as HTTP basic) and calls the API with it', async () => {
      const before = oauth.requests.length;
      const r = await testConnection(conn({ scope: 'read' }));
      assertSuccess(r, canaries);
      assert.equal(r.details?.tokenEndpointStatus, '200');
      assert.deepEqual(oauth.requests.slice(before), [{ clientAuth: 'basic', grantType: 'client_credentials', scope: 'read' }]);
    });

    it('sends the client secret as form fields with clientAuth: body', async () => {
      const before = oauth.requests.length;
      assertSuccess(await testConnection(conn({ clientAuth: 'body' })), canaries);
      assert.equal(oauth.requests[before].clientAuth, 'body');
    });

    it('fails with badCredentials on a wrong client secret', async () => {
      assertFailure(await testConnection(conn({ clientSecret: secret.wrong })), 'badCredentials', canaries, /invalid_client.*auth\.clientSecret/);
    });

    it('fails with config on a scope the server refuses', async () => {
      assertFailure(await testConnection(conn({ scope: 'admin' })), 'config', canaries, /invalid_scope/);
    });

    it('fails with badCredentials when the API does not accept the issued token', async () => {
      assertFailure(await testConnection(conn({}, '/apikey')), 'badCredentials', canaries, /issued a token this API does not accept/);
    });

    it('fails with unreachable when the token endpoint is down', async () => {
      assertFailure(await testConnection(conn({ tokenUrl: `http://127.0.0.1:${await freePort()}/oauth/token` })), 'unreachable', canaries);
    });
  });

  describe('mutual TLS', () => {
    const conn = (auth: Record<string, unknown>) => ({ type: 'http', url: `${nginx.mtlsUrl}/whoami`, auth: { type: 'mtls', certificate: client.cert, privateKey: client.key, caCert: ca.cert, ...auth } });

    it('succeeds with a client certificate from the CA nginx trusts', async () => {
      const r = await testConnection(conn({}));
      assertSuccess(r, canaries);
      assert.equal(r.details?.clientCertificate, 'CN=app-client');
    });

    it('accepts certificate and key in the \\n-escaped single-line form', async () => {
      assertSuccess(await testConnection(conn({ certificate: client.cert.trim().replace(/\n/g, '\\n'), privateKey: client.key.trim().replace(/\n/g, '\\n') })), canaries);
    });

    it('fails with badCredentials on a certificate from an untrusted CA', async () => {
      assertFailure(await testConnection(conn({ certificate: rogueClient.cert, privateKey: rogueClient.key })), 'badCredentials', canaries, /rejected the client certificate/);
    });

    it('fails with badCredentials on a private key that does not belong to the certificate', async () => {
      assertFailure(await testConnection(conn({ privateKey: otherClient.key })), 'badCredentials', canaries, /does not belong to auth\.certificate/);
    });

    it('fails with tls when the server certificate is not trusted', async () => {
      assertFailure(await testConnection(conn({ caCert: undefined })), 'tls', canaries, /not trusted/);
    });

    it('fails with config on a certificate that is not PEM', async () => {
      assertFailure(await testConnection(conn({ certificate: 'not a certificate' })), 'config', canaries, /not a PEM X\.509 certificate/);
    });
  });

  describe('answers and networks', () => {
    it('classifies 403 as denied, 404 and redirects as config, 500 as unknown', async () => {
      assertFailure(await testConnection({ type: 'http', url: `${nginx.httpUrl}/forbidden` }), 'denied', canaries, /HTTP 403/);
      assertFailure(await testConnection({ type: 'http', url: `${nginx.httpUrl}/missing` }), 'config', canaries, /HTTP 404/);
      const redirect = await testConnection({ type: 'http', url: `${nginx.httpUrl}/redirect?sig=${secret.token}` });
      assertFailure(redirect, 'config', canaries, /redirects \(HTTP 302\)/);
      assertFailure(await testConnection({ type: 'http', url: `${nginx.httpUrl}/broken` }), 'unknown', canaries, /HTTP 500/);
    });

    it('fails with unreachable when nothing listens, or the name does not resolve', async () => {
      assertFailure(await testConnection({ type: 'http', url: `http://127.0.0.1:${await freePort()}/` }), 'unreachable', canaries, /refused/);
      assertFailure(await testConnection({ type: 'http', url: 'https://no-such-host.invalid/' }), 'unreachable', canaries, /does not resolve/);
    });

    it('fails with timeout when the server never answers (http and https)', async () => {
      assertFailure(await testConnection({ type: 'http', url: `http://127.0.0.1:${silent.port}/` }, { timeoutMs: 300 }), 'timeout', canaries);
      assertFailure(await testConnection({ type: 'http', url: `https://127.0.0.1:${silent.port}/` }, { timeoutMs: 300 }), 'timeout', canaries);
    });

    it('fails with config on a bad url or auth type, without a request', async () => {
      assertFailure(await testConnection({ type: 'http', url: 'ftp://example.com/' }), 'config', canaries, /url must be/);
      assertFailure(await testConnection({ type: 'http', url: `${nginx.httpUrl}/basic`, auth: { type: 'digest' } }), 'config', canaries, /auth\.type must be/);
      assertFailure(await testConnection({ type: 'http', url: `http://app:${secret.password}@127.0.0.1/` }), 'config', canaries, /must not carry a user name or password/);
    });

    it('rejects with Cancelled when the caller aborts', async () => {
      const controller = new AbortController();
      const pending = testConnection({ type: 'http', url: `http://127.0.0.1:${silent.port}/` }, { signal: controller.signal, timeoutMs: 30_000 });
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(pending, (e: unknown) => e instanceof ConnectionSecretsError && e.code === 'Cancelled');
    });

    it('reports an unknown connection type as config', async () => {
      const r = await testConnection({ type: 'ldap' });
      assert.equal(r.failureClass, 'config');
      assert.match(r.message, /cannot be tested/);
    });
  });
});
