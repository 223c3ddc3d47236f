/**
 * Connection testers authenticate to the application with resolved credentials (DESIGN §3).
 * Implementations live in `src/testers/<type>.ts` and are loaded on first use; this file is the
 * editor-free contract.
 */

/** Why a test failed, in the classes the user acts on. */
export type FailureClass = 'badCredentials' | 'unreachable' | 'tls' | 'timeout' | 'config' | 'denied' | 'unknown';

export interface TestResult {
  ok: boolean;
  failureClass?: FailureClass;
  /** One line for the user, naming the fix on failure. Never contains a credential. */
  message: string;
  durationMs: number;
  /** Non-secret facts: server version, HTTP status, TLS subject … */
  details?: Record<string, string>;
}

export interface TestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * A connection with every reference replaced by its value: the connection's mapping from
 * `connections.yaml` (`type`, `host`, `auth.password` …) as plain data.
 */
export type ResolvedConnectionValues = Record<string, unknown> & { type: string };

export type ConnectionTester = (connection: ResolvedConnectionValues, options: TestOptions) => Promise<TestResult>;
