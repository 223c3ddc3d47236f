/**
 * Vault tokens: obtaining one (AppRole login, or a token from VAULT_TOKEN / ~/.vault-token /
 * the credential store), renewing it before it expires, and logging in again when renewal can no
 * longer extend it (the role's `token_max_ttl` reached) or Vault has stopped accepting it.
 *
 * Renewal is lazy: checked before each call, so an idle provider holds no timers and makes no
 * requests. A token in its last third of life is renewed; a token that can no longer be renewed
 * is replaced by a fresh login (AppRole) or reported as expired (token auth).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConnectionSecretsError } from '../../core/errors';
import type { CredentialSource } from '../../core/provider';
import type { VaultHttp } from './client';
import { loginError, responseError, type VaultCallContext } from './errors';

export type VaultAuthOptions =
  | { method: 'approle'; mount: string; roleId: string; roleName: string }
  | { method: 'token' };

interface TokenState {
  token: string;
  /** Epoch ms after which Vault refuses the token; undefined = does not expire (root, ttl 0). */
  expiresAt?: number;
  /** Lease length as granted, ms. */
  ttlMs: number;
  renewable: boolean;
  /** Where a token-auth token came from, for messages. */
  source: string;
}

export interface TokenManagerOptions {
  auth: VaultAuthOptions;
  credentials: CredentialSource;
  env: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  /** For tests: the clock. */
  now?: () => number;
  /** Home folder for `~/.vault-token` (default: `HOME` of `env`, then `os.homedir()`). */
  homeDir?: string;
}

/** Counters for tests and diagnostics. */
export interface TokenStats {
  logins: number;
  renewals: number;
}

/** Key under which the AppRole secret_id is stored (SecretStorage in the extension). */
export function secretIdKey(address: string, roleName: string): string {
  return `vault.secretId:${address}:${roleName}`;
}

/** Key under which a Vault token is stored when token auth has no VAULT_TOKEN or ~/.vault-token. */
export function tokenKey(address: string): string {
  return `vault.token:${address}`;
}

export class TokenManager {
  private state?: TokenState;
  private pending?: Promise<TokenState>;
  readonly stats: TokenStats = { logins: 0, renewals: 0 };
  private readonly now: () => number;

  constructor(
    private readonly http: VaultHttp,
    private readonly options: TokenManagerOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Who the token belongs to, for messages: `AppRole role "ci"`, `the token from VAULT_TOKEN`. */
  get principal(): string {
    const auth = this.options.auth;
    if (auth.method === 'approle') return `AppRole role "${auth.roleName}"`;
    return this.state ? `the token from ${this.state.source}` : 'the Vault token';
  }

  /** A token that is valid for a while yet: logs in, renews or re-logs in as needed. */
  async token(signal?: AbortSignal): Promise<string> {
    // One login/renewal at a time; concurrent callers share it.
    if (this.pending) return (await this.pending).token;
    const state = this.state;
    const action = this.nextAction(state);
    if (action === 'use' && state) return state.token;
    this.pending = (action === 'renew' && state ? this.renew(state, signal) : this.obtain(signal)).finally(() => {
      this.pending = undefined;
    });
    return (await this.pending).token;
  }

  /**
   * Called when Vault answered 403 with `token`: checks the token itself. Returns true when the
   * token was rejected and a new one has been obtained (the caller retries once), false when the
   * token is fine (the 403 is the policy's) — or throws when no new token can be had.
   */
  async recoverFrom403(token: string, signal?: AbortSignal): Promise<boolean> {
    if (this.state && this.state.token !== token) return true; // someone already replaced it
    const answer = await this.http.send({ method: 'GET', path: 'auth/token/lookup-self', token, signal });
    if (answer.status === 200) {
      this.adopt(answer.body, this.state?.source ?? 'login');
      return false;
    }
    if (answer.status !== 403) throw responseError(answer, this.callContext('GET', 'auth/token/lookup-self', 'read'));
    this.options.log?.('vault: the token was refused (expired or revoked); obtaining a new one');
    if (this.options.auth.method === 'token') {
      const source = this.state?.source ?? 'the configured token';
      this.state = undefined;
      if (source.startsWith('the credential store')) await this.options.credentials.forget(tokenKey(this.http.address));
      throw new ConnectionSecretsError('CredentialsExpired', `Vault no longer accepts the token from ${source}: it has expired or been revoked.`, {
        fix: 'Log in again (`vault login`) or set a fresh VAULT_TOKEN, then retry.',
        detail: 'HTTP 403 on GET auth/token/lookup-self',
      });
    }
    this.state = undefined;
    await this.token(signal);
    return true;
  }

  /** Forgets the token (dispose). */
  clear(): void {
    this.state = undefined;
  }

  private nextAction(state: TokenState | undefined): 'use' | 'renew' | 'obtain' {
    if (!state) return 'obtain';
    if (state.expiresAt === undefined) return 'use';
    const remaining = state.expiresAt - this.now();
    // Too close to expiry to risk a call on it: a request in flight could outlive it.
    const safety = Math.min(2_000, state.ttlMs / 10);
    if (remaining <= safety) return state.renewable && this.options.auth.method === 'token' ? 'renew' : 'obtain';
    if (remaining <= state.ttlMs / 3) return state.renewable ? 'renew' : this.options.auth.method === 'approle' ? 'obtain' : 'use';
    return 'use';
  }

  private async obtain(signal?: AbortSignal): Promise<TokenState> {
    const auth = this.options.auth;
    this.state = auth.method === 'approle' ? await this.loginAppRole(auth, signal) : await this.loadToken(signal);
    return this.state;
  }

  private async loginAppRole(auth: Extract<VaultAuthOptions, { method: 'approle' }>, signal?: AbortSignal): Promise<TokenState> {
    const key = secretIdKey(this.http.address, auth.roleName);
    const secretId = await this.options.credentials.get(key, {
      title: `Vault AppRole secret_id for role "${auth.roleName}" at ${this.http.address}`,
      envVar: 'VAULT_SECRET_ID',
      password: true,
    });
    if (!secretId) {
      throw new ConnectionSecretsError('Unauthenticated', `No AppRole secret_id for role "${auth.roleName}" at ${this.http.address}.`, {
        fix: 'Enter the secret_id when asked (the CLI reads VAULT_SECRET_ID).',
      });
    }
    const loginPath = `auth/${auth.mount}/login`;
    const answer = await this.http.send({ method: 'POST', path: loginPath, body: { role_id: auth.roleId, secret_id: secretId }, signal });
    const ctx = { ...this.callContext('POST', loginPath, 'update'), mount: auth.mount, roleName: auth.roleName };
    if (answer.status !== 200) {
      const error = loginError(answer, ctx);
      // A refused secret_id is asked for again next time instead of being retried forever.
      if (answer.status === 400 || answer.status === 401) await this.options.credentials.forget(key);
      throw error;
    }
    const authBlock = (answer.body as { auth?: { client_token?: unknown; lease_duration?: unknown; renewable?: unknown } } | null)?.auth;
    if (!authBlock || typeof authBlock.client_token !== 'string') {
      throw new ConnectionSecretsError('Unknown', `AppRole login at ${loginPath} answered without a token.`, { fix: 'Check that `auth.mount` names an AppRole auth method.' });
    }
    this.stats.logins++;
    const ttlMs = Number(authBlock.lease_duration ?? 0) * 1000;
    this.options.log?.(`vault: logged in with AppRole role "${auth.roleName}" (token ttl ${ttlMs / 1000} s)`);
    return {
      token: authBlock.client_token,
      ttlMs,
      expiresAt: ttlMs > 0 ? this.now() + ttlMs : undefined,
      renewable: authBlock.renewable === true,
      source: `AppRole role "${auth.roleName}"`,
    };
  }

  private async loadToken(signal?: AbortSignal): Promise<TokenState> {
    const { token, source } = await this.findToken();
    const answer = await this.http.send({ method: 'GET', path: 'auth/token/lookup-self', token, signal });
    if (answer.status === 403) {
      if (source.startsWith('the credential store')) await this.options.credentials.forget(tokenKey(this.http.address));
      throw new ConnectionSecretsError('Unauthenticated', `Vault refused the token from ${source} (403 on auth/token/lookup-self): it is expired, revoked, for another server or namespace, or lacks the default policy.`, {
        fix: 'Log in again (`vault login`) or set a valid VAULT_TOKEN.',
        detail: 'HTTP 403 on GET auth/token/lookup-self',
      });
    }
    if (answer.status !== 200) throw responseError(answer, this.callContext('GET', 'auth/token/lookup-self', 'read'));
    this.stats.logins++;
    const state: TokenState = { token, ttlMs: 0, renewable: false, source };
    this.state = state;
    this.adopt(answer.body, source);
    return this.state;
  }

  private async findToken(): Promise<{ token: string; source: string }> {
    const fromEnv = this.options.env.VAULT_TOKEN?.trim();
    if (fromEnv) return { token: fromEnv, source: 'VAULT_TOKEN' };
    const home = this.options.homeDir ?? (this.options.env.HOME || this.options.env.USERPROFILE || os.homedir());
    const file = path.join(home, '.vault-token');
    try {
      const fromFile = fs.readFileSync(file, 'utf8').trim();
      if (fromFile) return { token: fromFile, source: '~/.vault-token' };
    } catch {
      /* no token file: ask the credential store */
    }
    const stored = await this.options.credentials.get(tokenKey(this.http.address), {
      title: `Vault token for ${this.http.address}`,
      envVar: 'VAULT_TOKEN',
      password: true,
    });
    if (!stored) {
      throw new ConnectionSecretsError('Unauthenticated', `No Vault token for ${this.http.address}.`, {
        fix: 'Set VAULT_TOKEN, run `vault login` (writes ~/.vault-token), or enter a token when asked.',
      });
    }
    return { token: stored.trim(), source: 'the credential store' };
  }

  /** Updates ttl and renewability from a lookup-self answer (`data.ttl` seconds remaining). */
  private adopt(body: unknown, source: string) {
    const data = (body as { data?: { ttl?: unknown; renewable?: unknown; creation_ttl?: unknown } } | null)?.data;
    if (!data || !this.state) return;
    const ttl = Number(data.ttl ?? 0) * 1000;
    const creation = Number(data.creation_ttl ?? 0) * 1000;
    this.state = {
      ...this.state,
      source,
      renewable: data.renewable === true,
      ttlMs: creation > 0 ? creation : ttl,
      expiresAt: ttl > 0 ? this.now() + ttl : undefined,
    };
  }

  private async renew(state: TokenState, signal?: AbortSignal): Promise<TokenState> {
    // No retries: a failed renewal has a cheaper way out (a fresh login), and Vault answers 500
    // "past the max TTL, cannot renew" for a token at its end of life.
    const answer = await this.http.send({ method: 'POST', path: 'auth/token/renew-self', body: {}, token: state.token, signal, retries: 0 });
    const authBlock = (answer.body as { auth?: { lease_duration?: unknown; renewable?: unknown } } | null)?.auth;
    if (answer.status === 200 && authBlock) {
      this.stats.renewals++;
      const ttlMs = Number(authBlock.lease_duration ?? 0) * 1000;
      const expiresAt = ttlMs > 0 ? this.now() + ttlMs : undefined;
      const extended = expiresAt === undefined || state.expiresAt === undefined || expiresAt > state.expiresAt + 1_000;
      this.options.log?.(`vault: renewed the token (ttl now ${ttlMs / 1000} s${extended ? '' : ', capped by the maximum ttl'})`);
      // Capped by token_max_ttl: renewing again cannot help, so the next step is a fresh login.
      this.state = { ...state, expiresAt, ttlMs: extended ? ttlMs : state.ttlMs, renewable: extended && authBlock.renewable !== false };
      if (!extended && this.options.auth.method === 'approle') return this.obtain(signal);
      return this.state;
    }
    this.options.log?.(`vault: token renewal failed (HTTP ${answer.status}); ${this.options.auth.method === 'approle' ? 'logging in again' : 'using the token until it expires'}`);
    if (this.options.auth.method === 'approle') return this.obtain(signal);
    this.state = { ...state, renewable: false };
    if (state.expiresAt !== undefined && state.expiresAt <= this.now()) {
      throw new ConnectionSecretsError('CredentialsExpired', `The Vault token from ${state.source} has expired and cannot be renewed.`, {
        fix: 'Log in again (`vault login`) or set a fresh VAULT_TOKEN, then retry.',
      });
    }
    return this.state;
  }

  private callContext(method: string, apiPath: string, capability: string): VaultCallContext {
    return { address: this.http.address, namespace: this.http.namespace, method, path: apiPath, capability, principal: this.principal };
  }
}
