/**
 * A real nginx (Debian's `nginx`) standing in for the HTTP applications behind connections, with
 * a config written at test time:
 * - `http` (plain) and `https` (server certificate from the test CA) listeners, each with
 *   `/basic` (`auth_basic` against a `{SSHA}` htpasswd), `/bearer` (an `Authorization: Bearer`
 *   token from a map of accepted tokens) and `/apikey` (an `X-API-Key` header),
 * - an `mtls` listener with `ssl_verify_client on`, accepting client certificates from the CA.
 * Protected content is a static file, so nginx's access phase (auth_basic) runs before it: a
 * `return 200` would answer in the rewrite phase and skip authentication.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, httpAnswers, startServer, type Server } from './peer';
import type { Pem } from './pki';

export const nginxInstall = 'bash scripts/ci/install.d/50-apps.sh (Debian package nginx)';
const nginxPath = '/usr/sbin/nginx';

export function nginxInstalled(): boolean {
  return fs.existsSync(nginxPath);
}

export interface NginxCredentials {
  basic: { username: string; password: string };
  /** Accepted bearer tokens (a static one, and the one the tests' OAuth server issues). */
  bearerTokens: string[];
  apiKey: { header: string; value: string };
}

export interface NginxOptions {
  credentials: NginxCredentials;
  /** Server certificate for the https and mtls listeners. */
  serverCert: Pem;
  /** The CA whose client certificates the mtls listener accepts. */
  clientCa: Pem;
}

export interface NginxPeer {
  httpUrl: string;
  httpsUrl: string;
  mtlsUrl: string;
  version: string;
  stop(): Promise<void>;
}

/** nginx's salted SHA-1 htpasswd scheme; keeps the plain password out of the file. */
function sshaHash(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function quote(value: string): string {
  if (/["\\$\n]/.test(value)) throw new Error('test credential contains characters the nginx config cannot hold');
  return `"${value}"`;
}

export async function startNginx(options: NginxOptions): Promise<NginxPeer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-nginx-'));
  const { credentials: c } = options;
  fs.mkdirSync(path.join(dir, 'www'));
  fs.mkdirSync(path.join(dir, 'tmp'));
  fs.writeFileSync(path.join(dir, 'www', 'ok.json'), '{"ok":true}\n');
  fs.writeFileSync(path.join(dir, 'htpasswd'), `${c.basic.username}:${sshaHash(c.basic.password)}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'server.crt'), options.serverCert.cert);
  fs.writeFileSync(path.join(dir, 'server.key'), options.serverCert.key, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'client-ca.crt'), options.clientCa.cert);
  const [httpPort, httpsPort, mtlsPort] = [await freePort(), await freePort(), await freePort()];
  const apiKeyVar = `$http_${c.apiKey.header.toLowerCase().replace(/-/g, '_')}`;
  const content = `location = /ok { internal; alias ${dir}/www/ok.json; default_type application/json; }`;
  const protectedLocations = `
      location = /basic { auth_basic "connection-secrets test"; auth_basic_user_file ${dir}/htpasswd; try_files /nonexistent /ok; }
      location = /bearer { if ($cs_bearer_ok = 0) { return 401; } try_files /nonexistent /ok; }
      location = /apikey { if ($cs_apikey_ok = 0) { return 401; } try_files /nonexistent /ok; }
      location = /forbidden { return 403; }
      location = /redirect { return 302 /basic; }
      location = /broken { return 500; }
      ${content}
      location / { return 404; }`;
  const root = process.getuid?.() === 0;
  const config = `
daemon off;
master_process on;
worker_processes 1;
${root ? 'user root;' : ''}
pid ${dir}/nginx.pid;
error_log stderr notice;
events { worker_connections 512; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  map $http_authorization $cs_bearer_ok {
    default 0;
    ${c.bearerTokens.map((t) => `${quote(`Bearer ${t}`)} 1;`).join('\n    ')}
  }
  map ${apiKeyVar} $cs_apikey_ok { default 0; ${quote(c.apiKey.value)} 1; }
  server {
    listen 127.0.0.1:${httpPort};
    ${protectedLocations}
  }
  server {
    listen 127.0.0.1:${httpsPort} ssl;
    ssl_certificate ${dir}/server.crt;
    ssl_certificate_key ${dir}/server.key;
    ${protectedLocations}
  }
  server {
    listen 127.0.0.1:${mtlsPort} ssl;
    ssl_certificate ${dir}/server.crt;
    ssl_certificate_key ${dir}/server.key;
    ssl_client_certificate ${dir}/client-ca.crt;
    ssl_verify_client on;
    location = /whoami { try_files /nonexistent /ok; }
    ${content}
    location / { return 404; }
  }
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), config);
  let server: Server;
  try {
    server = await startServer(nginxPath, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', 'stderr'], {
      ready: () => httpAnswers(`http://127.0.0.1:${httpPort}/`),
    });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const head = await fetch(`http://127.0.0.1:${httpPort}/`);
  await head.arrayBuffer();
  return {
    httpUrl: `http://127.0.0.1:${httpPort}`,
    httpsUrl: `https://127.0.0.1:${httpsPort}`,
    mtlsUrl: `https://127.0.0.1:${mtlsPort}`,
    version: head.headers.get('server') ?? 'nginx',
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
