/**
 * The vault provider block, validated (DESIGN §1), and the CA PEM it names. Shared by the
 * provider and its troubleshooting checks, which build their own clients from the same settings.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ConnectionSecretsError } from '../../core/errors';
import type { ProviderConfig } from '../../core/model';
import type { VaultAuthOptions } from './auth';

/** The provider block, validated. */
export interface VaultOptions {
  address: string;
  namespace?: string;
  /** Absolute path of the CA PEM, and the setting as written (for messages). */
  caCert?: { file: string; setting: string };
  auth: VaultAuthOptions;
}

function invalid(config: ProviderConfig, message: string, fix: string): ConnectionSecretsError {
  return new ConnectionSecretsError('InvalidConfig', `${message} (vault provider in ${config.file})`, { fix });
}

/** Checks the provider block and fills defaults; every mistake is an `InvalidConfig` naming the field. */
export function parseVaultOptions(config: ProviderConfig): VaultOptions {
  const o = config.options;
  const address = typeof o.address === 'string' ? o.address.trim().replace(/\/+$/, '') : '';
  if (!address) throw invalid(config, 'The vault provider needs an `address`', 'Add `address: https://vault.example.com:8200` to the provider block.');
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw invalid(config, `\`address\` "${address}" is not a URL`, 'Write it as https://<host>:<port>, e.g. https://vault.example.com:8200.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(config, `\`address\` "${address}" must start with https:// or http://`, 'Write it as https://<host>:<port>.');
  }
  if (/\/v1$/.test(url.pathname)) {
    throw invalid(config, `\`address\` "${address}" ends with /v1`, 'Drop the /v1: the provider adds the API prefix itself.');
  }

  let namespace: string | undefined;
  if (o.namespace !== undefined && o.namespace !== null) {
    if (typeof o.namespace !== 'string') throw invalid(config, '`namespace` must be a string', 'Write e.g. `namespace: admin/devops`.');
    namespace = o.namespace.trim().replace(/^\/+|\/+$/g, '') || undefined;
  }

  let caCert: VaultOptions['caCert'];
  if (o.caCert !== undefined && o.caCert !== null) {
    if (typeof o.caCert !== 'string' || !o.caCert.trim()) throw invalid(config, '`caCert` must be the path of a PEM file', 'Write e.g. `caCert: certs/vault-ca.pem` (relative to this connections.yaml).');
    caCert = { setting: o.caCert, file: path.resolve(config.dir, o.caCert) };
  }

  const rawAuth = (o.auth ?? {}) as Record<string, unknown>;
  if (typeof rawAuth !== 'object' || Array.isArray(rawAuth)) throw invalid(config, '`auth` must be a mapping', 'Write `auth: { method: approle, roleName: …, roleId: … }` or `auth: { method: token }`.');
  const method = rawAuth.method ?? (rawAuth.roleId !== undefined ? 'approle' : 'token');
  let auth: VaultAuthOptions;
  if (method === 'approle') {
    const roleId = typeof rawAuth.roleId === 'string' ? rawAuth.roleId.trim() : '';
    if (!roleId) throw invalid(config, 'AppRole auth needs `auth.roleId`', 'Add the role_id (`vault read auth/approle/role/<role>/role-id`) as `auth.roleId`.');
    const roleName = typeof rawAuth.roleName === 'string' && rawAuth.roleName.trim() ? rawAuth.roleName.trim() : roleId;
    const mountRaw = rawAuth.mount ?? 'approle';
    if (typeof mountRaw !== 'string' || !mountRaw.trim()) throw invalid(config, '`auth.mount` must be the AppRole mount path', 'Write e.g. `mount: approle`.');
    const mount = mountRaw.trim().replace(/^\/+|\/+$/g, '').replace(/^auth\//, '');
    auth = { method: 'approle', roleId, roleName, mount };
  } else if (method === 'token') {
    auth = { method: 'token' };
  } else {
    throw invalid(config, `Unknown \`auth.method\` "${String(method)}"`, 'Use `approle` or `token`.');
  }
  return { address, namespace, caCert, auth };
}

/** The PEM text of `caCert`, checked; undefined when none is set. */
export function readCaCert(options: VaultOptions): string | undefined {
  if (!options.caCert) return undefined;
  let pem: string;
  try {
    pem = fs.readFileSync(options.caCert.file, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'error';
    throw new ConnectionSecretsError('InvalidConfig', `Cannot read \`caCert\` "${options.caCert.setting}" (${options.caCert.file}): ${code}.`, {
      fix: 'Point `caCert` at the PEM file of the CA that signed Vault\'s certificate, relative to this connections.yaml.',
    });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConnectionSecretsError('InvalidConfig', `\`caCert\` "${options.caCert.setting}" is not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line).`, {
      fix: 'Use the CA certificate in PEM form (convert DER with `openssl x509 -inform der -in ca.cer -out ca.pem`).',
    });
  }
  return pem;
}
