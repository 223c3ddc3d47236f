/**
 * Typed errors. Every failure a user can cause becomes one of these, with a message that says
 * what happened and a `fix` that says what to do. Messages never contain secret values.
 */
export type ErrorCode =
  | 'AccessDenied'
  | 'NotFound'
  | 'MissingKey'
  | 'NotKeyValue'
  | 'Unauthenticated'
  | 'CredentialsExpired'
  | 'Throttled'
  | 'Timeout'
  | 'Unreachable'
  | 'Tls'
  | 'Sealed'
  | 'Disabled'
  | 'Expired'
  | 'NotYetActive'
  | 'Decryption'
  | 'InvalidConfig'
  | 'InvalidReference'
  | 'Untrusted'
  | 'Cancelled'
  | 'Unknown';

export class ConnectionSecretsError extends Error {
  readonly code: ErrorCode;
  /** What the user should do, one sentence. */
  readonly fix?: string;
  /** HTTP status or provider error name, for evidence; never a value. */
  readonly detail?: string;
  /** True when retrying later may succeed (throttling, 5xx, timeouts). */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, opts: { fix?: string; detail?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ConnectionSecretsError';
    this.code = code;
    this.fix = opts.fix;
    this.detail = opts.detail;
    this.retryable = opts.retryable ?? (code === 'Throttled' || code === 'Timeout');
  }

  /**
   * The lazily loaded provider bundles each carry their own copy of this class, so `instanceof`
   * recognises the shape rather than the constructor.
   */
  static override [Symbol.hasInstance](x: unknown): boolean {
    return typeof x === 'object' && x !== null && (x as { name?: unknown }).name === 'ConnectionSecretsError' && typeof (x as { code?: unknown }).code === 'string';
  }

  /** One line for a user: the message, then the fix. */
  toUserString(): string {
    return this.fix ? `${this.message} — ${this.fix}` : this.message;
  }
}

export function isConnectionSecretsError(e: unknown): e is ConnectionSecretsError {
  return e instanceof ConnectionSecretsError;
}

/** Turns anything thrown into a user-facing line (without stack traces). */
export function describeError(e: unknown): string {
  if (e instanceof ConnectionSecretsError) return e.toUserString();
  if (e instanceof Error) return e.message;
  return String(e);
}
