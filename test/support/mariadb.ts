/**
 * A real MariaDB server (Debian's `mariadb-server`) for the mysql tester: a fresh data dir made
 * by `mariadb-install-db` in a temp dir, `mariadbd` in the foreground on a free loopback port. As
 * root the server drops to the package's `mysql` user (`--user=mysql`), as mariadbd expects.
 * An `--init-file` creates the seeding account with a password, so no socket authentication is
 * needed.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, startServer, type Server } from './peer';
import type { Pem } from './pki';

export const mariadbInstall = 'bash scripts/ci/install.d/50-apps.sh (Debian package mariadb-server)';

export function mariadbInstalled(): boolean {
  return fs.existsSync('/usr/sbin/mariadbd') && fs.existsSync('/usr/bin/mariadb-install-db');
}

export interface MariadbPeer {
  host: string;
  port: number;
  admin: { user: string; password: string };
  version: string;
  sql(text: string, values?: unknown[]): Promise<void>;
  /** Creates a user `name`@`%` owning a database of the same name. */
  createUser(name: string, password: string): Promise<void>;
  setPassword(name: string, password: string): Promise<void>;
  stop(): Promise<void>;
}

export interface MariadbOptions {
  tls?: Pem;
}

const isRoot = process.getuid?.() === 0;

export async function startMariadb(options: MariadbOptions = {}): Promise<MariadbPeer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-maria-'));
  const data = path.join(dir, 'data');
  const admin = { user: 'cs_admin', password: `admin-${Math.random().toString(36).slice(2)}` };
  const initFile = path.join(dir, 'init.sql');
  fs.writeFileSync(
    initFile,
    `CREATE USER IF NOT EXISTS '${admin.user}'@'%' IDENTIFIED BY '${admin.password}';\n` +
      `GRANT ALL PRIVILEGES ON *.* TO '${admin.user}'@'%' WITH GRANT OPTION;\n`,
    { mode: 0o600 },
  );
  const tlsArgs: string[] = [];
  if (options.tls) {
    fs.writeFileSync(path.join(dir, 'server.crt'), options.tls.cert);
    fs.writeFileSync(path.join(dir, 'server.key'), options.tls.key, { mode: 0o600 });
    tlsArgs.push(`--ssl-cert=${dir}/server.crt`, `--ssl-key=${dir}/server.key`);
  }
  const userArgs = isRoot ? ['--user=mysql'] : [];
  if (isRoot) execFileSync('chown', ['-R', 'mysql:', dir]);
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, ...userArgs, '--skip-test-db', '--auth-root-authentication-method=socket'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const port = await freePort();
  const connect = () => mysql.createConnection({ host: '127.0.0.1', port, user: admin.user, password: admin.password, connectTimeout: 2_000 });
  let server: Server;
  try {
    server = await startServer(
      '/usr/sbin/mariadbd',
      [
        '--no-defaults', `--datadir=${data}`, ...userArgs, `--port=${port}`, '--bind-address=127.0.0.1',
        `--socket=${dir}/mysqld.sock`, `--pid-file=${dir}/mysqld.pid`, `--init-file=${initFile}`,
        '--skip-name-resolve', '--skip-log-bin', '--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M',
        '--max-connections=200', '--log-error=', ...tlsArgs,
      ],
      {
        ready: async () => {
          const c = await connect();
          await c.end();
          return true;
        },
      },
    );
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const sql = async (text: string, values?: unknown[]) => {
    const c = await connect();
    try {
      await c.query(text, values);
    } finally {
      await c.end();
    }
  };
  const c = await connect();
  const [rows] = await c.query('SELECT VERSION() AS v');
  await c.end();
  const version = (rows as Array<{ v: string }>)[0].v;
  return {
    host: '127.0.0.1',
    port,
    admin,
    version,
    sql,
    async createUser(name, password) {
      await sql('CREATE USER ?@? IDENTIFIED BY ?', [name, '%', password]);
      await sql(`CREATE DATABASE ${mysql.escapeId(name)}`);
      await sql(`GRANT ALL PRIVILEGES ON ${mysql.escapeId(name)}.* TO ?@?`, [name, '%']);
    },
    async setPassword(name, password) {
      await sql('ALTER USER ?@? IDENTIFIED BY ?', [name, '%', password]);
    },
    async stop() {
      await server.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
