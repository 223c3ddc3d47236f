/**
 * `connection-secrets`: the command-line twin of the extension, on the same core.
 * Exit codes: 0 clean, 1 problems or failures found, 2 usage errors.
 */
import { describeError } from '../core/errors';
import { EXIT, UsageError, type CliCommand, type CliIo } from './io';

/** Commands load on demand so `--help` and quick commands stay fast. */
const commands: Record<string, { summary: string; load: () => Promise<{ run: CliCommand }> }> = {
  validate: { summary: 'check connections.yaml files (the editor diagnostics)', load: () => import('./commands/validate') },
  lint: { summary: 'check secret formatting: PEM keys, certificates, references (sarif for CI)', load: () => import('./commands/lint') },
  secrets: { summary: 'list secret names of the providers in scope', load: () => import('./commands/secrets') },
  doctor: { summary: 'troubleshoot "Permission denied": sign-in, role and permission checks with fixes', load: () => import('./commands/doctor') },
  resolve: { summary: 'resolve a connection (masked; --reveal shows values)', load: () => import('./commands/resolve') },
  test: { summary: 'authenticate to the applications behind connections', load: () => import('./commands/test') },
  workato: { summary: 'clear the Workato secrets cache (workato clear-cache)', load: () => import('./commands/workato') },
};

const usage = () => `Usage: connection-secrets <command> [options]

Commands:
${Object.entries(commands)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Every command takes --format text|json and --help. Exit 0 clean, 1 problems found, 2 usage error.
Provider credentials come from the environment: AWS_* / AWS_PROFILE, VAULT_TOKEN or
VAULT_SECRET_ID, AZURE_CLIENT_SECRET.
`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name ? EXIT.ok : EXIT.usage;
  }
  if (name === '--version') {
    io.stdout(`${process.env.npm_package_version ?? '0.1.0'}\n`);
    return EXIT.ok;
  }
  const command = commands[name];
  if (!command) {
    io.stderr(`connection-secrets: unknown command "${name}". Run connection-secrets --help.\n`);
    return EXIT.usage;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`connection-secrets ${name}: ${e.message}. Run connection-secrets ${name} --help.\n`);
      return EXIT.usage;
    }
    // One clear line, never a stack trace; values cannot appear since errors never carry them.
    io.stderr(`connection-secrets ${name}: ${describeError(e)}\n`);
    return EXIT.problems;
  }
}

if (require.main === module) {
  // The AWS SDK warns on Node < 22 that its releases after January 2027 will need Node 22: nine
  // lines before every AWS command's output, about the SDK version this package pins — ours to
  // heed, not the user's. A value the user set wins. (Only in the CLI's own process: the
  // extension host is shared with other extensions, so the extension leaves its environment alone.)
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // `connection-secrets … | head` closes the pipe early; that is not an error.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  const io: CliIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
  };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`connection-secrets: ${describeError(e)}\n`);
      process.exitCode = EXIT.problems;
    },
  );
}
