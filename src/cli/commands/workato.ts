/**
 * `connection-secrets workato clear-cache [--data-center us|eu|jp|sg|au|il|<url>] [--format text|json]`
 *
 * Clears the Workato workspace's secrets management cache after a rotation. The API token comes
 * from WORKATO_API_TOKEN (never from a flag: flags end up in shell history and process lists);
 * the data centre from --data-center, else WORKATO_DATA_CENTER, else us.
 */
import { ConnectionSecretsError, describeError } from '../../core/errors';
import { WORKATO_DATA_CENTERS, clearSecretsCache, dataCenterOf, workatoBaseUrl } from '../../core/workato';

interface Io {
  stdout(s: string): void;
  stderr(s: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const USAGE = `Usage: connection-secrets workato clear-cache [--data-center <dc>] [--format text|json]

Clears the Workato secrets management cache (POST /api/secrets_management/clear_cache), so
connections use rotated secrets at once.

  --data-center <dc>   ${Object.keys(WORKATO_DATA_CENTERS).join(', ')}, or the https:// base URL of your instance
                       (default: $WORKATO_DATA_CENTER, else us)
  --format text|json   output format (default text)

The API token is read from WORKATO_API_TOKEN.
`;

/** Exit codes: 0 cleared, 1 the call failed, 2 usage error. */
export async function run(argv: string[], io: Io): Promise<number> {
  const args = [...argv];
  if (args[0] === 'help' || args.includes('--help') || args.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  const sub = args.shift();
  if (sub !== 'clear-cache') {
    io.stderr(`${sub ? `unknown workato command "${sub}"` : 'missing workato command'}\n\n${USAGE}`);
    return 2;
  }
  let dataCenter = io.env.WORKATO_DATA_CENTER;
  let format = 'text';
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].startsWith('--') && args[i].includes('=') ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)] : [args[i], undefined];
    const value = () => {
      const v = inline ?? args[++i];
      if (v === undefined || v === '') throw new UsageError(`${flag} needs a value`);
      return v;
    };
    try {
      if (flag === '--data-center' || flag === '--data-centre') dataCenter = value();
      else if (flag === '--format') format = value();
      else throw new UsageError(`unknown option "${flag}"`);
    } catch (e) {
      io.stderr(`${(e as Error).message}\n\n${USAGE}`);
      return 2;
    }
  }
  if (format !== 'text' && format !== 'json') {
    io.stderr(`--format must be text or json\n\n${USAGE}`);
    return 2;
  }
  try {
    const baseUrl = workatoBaseUrl(dataCenter);
    const result = await clearSecretsCache({ token: io.env.WORKATO_API_TOKEN ?? '', baseUrl });
    const dc = dataCenterOf(baseUrl);
    if (format === 'json') {
      io.stdout(JSON.stringify({ ok: true, dataCenter: dc ?? 'custom', baseUrl, status: result.status, attempts: result.attempts, durationMs: result.durationMs }) + '\n');
    } else {
      const retried = result.attempts > 1 ? ` after ${result.attempts - 1} ${result.attempts === 2 ? 'retry' : 'retries'} (throttled)` : '';
      io.stdout(`Cleared the Workato secrets cache (${dc ? `${dc.toUpperCase()} data centre, ` : ''}${baseUrl}) in ${result.durationMs} ms${retried}.\n`);
    }
    return 0;
  } catch (e) {
    const err = e instanceof ConnectionSecretsError ? e : undefined;
    if (format === 'json') {
      io.stdout(JSON.stringify({ ok: false, error: { code: err?.code ?? 'Unknown', message: err?.message ?? describeError(e), ...(err?.fix ? { fix: err.fix } : {}) } }) + '\n');
    } else {
      io.stderr(`error: ${describeError(e)}\n`);
    }
    return 1;
  }
}

class UsageError extends Error {}
