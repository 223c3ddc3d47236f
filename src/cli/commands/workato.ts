/**
 * `connection-secrets workato clear-cache [--data-center us|eu|jp|sg|au|il|<url>] [--format text|json]`
 *
 * Clears the Workato workspace's secrets management cache after a rotation. The API token comes
 * from WORKATO_API_TOKEN (never from a flag: flags end up in shell history and process lists);
 * the data centre from --data-center, else WORKATO_DATA_CENTER, else us.
 */
import { ConnectionSecretsError, describeError } from '../../core/errors';
import { WORKATO_DATA_CENTERS, clearSecretsCache, dataCenterOf, workatoBaseUrl } from '../../core/workato';
import { EXIT, UsageError, type CliIo } from '../io';
import { formatOf, parse } from '../shared';

export const usage = `connection-secrets workato clear-cache [--data-center <dc>] [--format text|json]
  Clears the Workato secrets management cache (POST /api/secrets_management/clear_cache), so
  connections use rotated secrets at once instead of after Workato's 60-minute cache.
  --data-center  ${Object.keys(WORKATO_DATA_CENTERS).join(', ')}, or the https:// base URL of your instance
                 (default: $WORKATO_DATA_CENTER, else us)
  The API token is read from WORKATO_API_TOKEN.`;

/** Exit codes: 0 cleared, 1 the call failed, 2 usage error (thrown as UsageError). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, { 'data-center': { type: 'string' } });
  if (values.help || positionals[0] === 'help') return io.stdout(usage + '\n'), EXIT.ok;
  const format = formatOf(values.format);
  if (positionals[0] !== 'clear-cache' || positionals.length > 1) {
    throw new UsageError(positionals[0] && positionals[0] !== 'clear-cache' ? `unknown workato command "${positionals[0]}"; the command is clear-cache` : positionals.length > 1 ? 'clear-cache takes no arguments' : 'missing workato command; the command is clear-cache');
  }
  let baseUrl: string;
  try {
    baseUrl = workatoBaseUrl(values['data-center'] ?? io.env.WORKATO_DATA_CENTER);
  } catch (e) {
    throw new UsageError(describeError(e).replace(/\.$/, ''));
  }
  const dc = dataCenterOf(baseUrl);
  try {
    const result = await clearSecretsCache({ token: io.env.WORKATO_API_TOKEN ?? '', baseUrl });
    if (format === 'json') {
      io.stdout(JSON.stringify({ ok: true, dataCenter: dc ?? 'custom', baseUrl, status: result.status, attempts: result.attempts, durationMs: result.durationMs }) + '\n');
    } else {
      const retried = result.attempts > 1 ? ` after ${result.attempts - 1} ${result.attempts === 2 ? 'retry' : 'retries'}` : '';
      io.stdout(`Cleared the Workato secrets cache (${dc ? `${dc.toUpperCase()} data centre, ` : ''}${baseUrl}) in ${result.durationMs} ms${retried}.\n`);
    }
    return EXIT.ok;
  } catch (e) {
    const err = e instanceof ConnectionSecretsError ? e : undefined;
    if (format === 'json') {
      io.stdout(JSON.stringify({ ok: false, dataCenter: dc ?? 'custom', baseUrl, error: { code: err?.code ?? 'Unknown', message: err?.message ?? describeError(e), ...(err?.fix ? { fix: err.fix } : {}) } }) + '\n');
    } else {
      io.stderr(`connection-secrets workato: ${describeError(e)}\n`);
    }
    return EXIT.problems;
  }
}
