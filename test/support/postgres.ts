/**
 * A real PostgreSQL server (Debian's `postgresql` package) for the tester tests: a fresh cluster
 * made by `initdb` in a temp dir, started in the foreground on a free loopback port with its unix
 * socket in the same temp dir. PostgreSQL refuses to run as root, so as root the cluster belongs to
 * the `postgres` system user the package creates and the server runs under `runuser`.
 * The server is run directly (not through `pg_ctl start`, which daemonises) so that the process
 * group helper in peer.ts can stop it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, startServer, type Server } from './peer';
import type { Pem } from './pki';

export const postgresInstall = 'bash scripts/ci/install.d/50-apps.sh (Debian package postgresql)';

/** The newest installed server's bin dir, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!fs.existsSync(root)) return undefined;
  const versions = fs
    .readdirSync(root)
    .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

export interface PostgresPeer {
  host: string;
  port: number;
  /** Superuser for seeding; a test secret, not a canary. */
  admin: { user: string; password: string };
  version: string;
  /** Runs SQL as the superuser. */
  sql(text: string): Promise<void>;
  /** Creates (or re-passwords) a login role with its own database of the same name. */
  createUser(name: string, password: string): Promise<void>;
  setPassword(name: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** Serve TLS with this server certificate (the key is copied with the modes PostgreSQL demands). */
  tls?: Pem;
}

const isRoot = process.getuid?.() === 0;

function asServerUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresPeer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error('PostgreSQL is not installed');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-pg-'));
  const data = path.join(dir, 'data');
  const admin = { user: 'cs_admin', password: `admin-${Math.random().toString(36).slice(2)}` };
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, admin.password, { mode: 0o600 });
  const settings: string[] = [];
  if (options.tls) {
    fs.writeFileSync(path.join(dir, 'server.crt'), options.tls.cert);
    fs.writeFileSync(path.join(dir, 'server.key'), options.tls.key, { mode: 0o600 });
    settings.push('-c', 'ssl=on', '-c', `ssl_cert_file=${dir}/server.crt`, '-c', `ssl_key_file=${dir}/server.key`);
  }
  if (isRoot) execFileSync('chown', ['-R', 'postgres:', dir]);
  try {
    const [cmd, args] = asServerUser(path.join(bin, 'initdb'), [
      '-D', data, '-U', admin.user, `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--no-sync', '-E', 'UTF8', '--locale=C',
    ]);
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } finally {
    fs.rmSync(pwfile, { force: true });
  }
  const port = await freePort();
  const connect = () => new pg.Client({ host: '127.0.0.1', port, user: admin.user, password: admin.password, database: 'postgres', ssl: false });
  const [cmd, args] = asServerUser(path.join(bin, 'postgres'), [
    '-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off',
    '-c', 'max_connections=200', '-c', 'shared_buffers=16MB', ...settings,
  ]);
  let server: Server;
  try {
    server = await startServer(cmd, args, {
      ready: async () => {
        const c = connect();
        try {
          await c.connect();
          await c.query('select 1');
          return true;
        } finally {
          await c.end().catch(() => undefined);
        }
      },
    });
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const sql = async (text: string) => {
    const c = connect();
    await c.connect();
    try {
      await c.query(text);
    } finally {
      await c.end();
    }
  };
  const ident = (s: string) => new pg.Client().escapeIdentifier(s);
  const literal = (s: string) => new pg.Client().escapeLiteral(s);
  let version = '';
  {
    const c = connect();
    await c.connect();
    version = (await c.query<{ server_version: string }>('show server_version')).rows[0].server_version;
    await c.end();
  }
  return {
    host: '127.0.0.1',
    port,
    admin,
    version,
    sql,
    async createUser(name, password) {
      await sql(`create role ${ident(name)} login password ${literal(password)}`);
      await sql(`create database ${ident(name)} owner ${ident(name)}`);
    },
    async setPassword(name, password) {
      await sql(`alter role ${ident(name)} password ${literal(password)}`);
    },
    async stop() {
      // SIGINT is PostgreSQL's fast shutdown; SIGTERM (what peer.ts sends) would wait for clients.
      try {
        process.kill(-server.child.pid!, 'SIGINT');
      } catch {
        /* already gone */
      }
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
