/**
 * The `azure` provider block: validation and normalisation. Pure (no SDK), so the loader, the
 * JSON schema and the unit tests can use it without loading the Azure SDK.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ConnectionSecretsError } from '../../core/errors';
import type { ProviderConfig } from '../../core/model';

/** Service API versions the bundled `@azure/keyvault-secrets` can speak. */
export const SERVICE_VERSIONS = ['7.0', '7.1', '7.2', '7.3', '7.4', '7.5', '7.6', '2025-07-01'] as const;
export type ServiceVersion = (typeof SERVICE_VERSIONS)[number];

/** Every field an `azure` provider block may hold (besides `type`). */
export const AZURE_OPTION_KEYS = [
  'vaultUrl',
  'tenantId',
  'clientId',
  'caCert',
  'versions',
  'authorityHost',
  'disableChallengeResourceVerification',
  'serviceVersion',
] as const;

export interface AzureOptions {
  /** Origin of the vault, without a trailing slash, e.g. `https://contoso-kv.vault.azure.net`. */
  vaultUrl: string;
  /** The vault's short name (first DNS label), for messages and `az` commands. */
  vaultName: string;
  tenantId?: string;
  /** Absent: the default Azure credential chain. */
  clientId?: string;
  /** Absolute path of a PEM bundle to trust in addition to the public roots. */
  caCertPath?: string;
  caCertPem?: string;
  /** Secret name (lower-cased) → pinned version id. */
  versions: Map<string, string>;
  authorityHost?: string;
  disableChallengeResourceVerification: boolean;
  /** True for an authority host that is not a Microsoft cloud's (emulators, Azure Stack): MSAL must not ask login.microsoftonline.com about it. */
  disableInstanceDiscovery: boolean;
  serviceVersion?: ServiceVersion;
}

/** Authority hosts MSAL knows (public, US Government, China clouds); any other is not looked up. */
const MICROSOFT_AUTHORITIES = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net']);

const SECRET_NAME = /^[0-9A-Za-z-]{1,127}$/;
const VERSION_ID = /^[0-9a-fA-F]{32}$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
// A tenant is a directory id (GUID) or one of its verified domains (contoso.onmicrosoft.com).
const TENANT = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,})$/;

function invalid(config: ProviderConfig, message: string, fix: string): ConnectionSecretsError {
  return new ConnectionSecretsError('InvalidConfig', `${message} (azure provider in ${config.file})`, { fix });
}

function optionalString(config: ProviderConfig, key: string): string | undefined {
  const v = config.options[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalid(config, `"${key}" must be a string`, `Write ${key} as a quoted string.`);
  return v.trim();
}

function optionalBoolean(config: ProviderConfig, key: string): boolean {
  const v = config.options[key];
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw invalid(config, `"${key}" must be true or false`, `Write ${key}: true or remove it.`);
  return v;
}

/** Validates an `azure` provider block; every problem becomes an `InvalidConfig` error naming the fix. */
export function parseAzureOptions(config: ProviderConfig): AzureOptions {
  const rawUrl = optionalString(config, 'vaultUrl');
  if (!rawUrl) {
    const near = Object.keys(config.options).find((k) => k.toLowerCase() === 'vaulturl' || k.toLowerCase() === 'vaulturi');
    throw invalid(
      config,
      near ? `"vaultUrl" is missing (found "${near}")` : '"vaultUrl" is missing',
      'Add vaultUrl: https://<vault-name>.vault.azure.net (the "Vault URI" on the vault\'s Overview page).',
    );
  }
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw invalid(config, `vaultUrl "${rawUrl}" is not a URL`, 'Write it as https://<vault-name>.vault.azure.net.');
  }
  if (url.protocol !== 'https:') {
    throw invalid(config, `vaultUrl must use https (got ${url.protocol}//)`, 'Key Vault is only served over HTTPS: write https://<vault-name>.vault.azure.net.');
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
    throw invalid(config, `vaultUrl "${rawUrl}" has a path`, `Use only the vault's address, e.g. ${url.origin} — the secret name goes into the reference.`);
  }

  const tenantId = optionalString(config, 'tenantId');
  const clientId = optionalString(config, 'clientId');
  if (tenantId !== undefined && !TENANT.test(tenantId)) {
    throw invalid(config, `tenantId "${tenantId}" is neither a directory id nor a domain`, 'Use the "Directory (tenant) ID" of the app registration (a GUID).');
  }
  if (clientId !== undefined) {
    if (!GUID.test(clientId)) {
      throw invalid(config, `clientId "${clientId}" is not a GUID`, 'Use the "Application (client) ID" of the app registration (a GUID), not its display name.');
    }
    if (!tenantId) {
      throw invalid(config, 'clientId is set but tenantId is missing', 'Add tenantId: the "Directory (tenant) ID" shown next to the client ID on the app registration.');
    }
  }

  let caCertPath: string | undefined;
  let caCertPem: string | undefined;
  const caCert = optionalString(config, 'caCert');
  if (caCert) {
    caCertPath = path.resolve(config.dir, caCert);
    try {
      caCertPem = fs.readFileSync(caCertPath, 'utf8');
    } catch (e) {
      throw invalid(config, `caCert ${caCertPath} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`, 'Point caCert at a PEM file, relative to the folder of this connections.yaml.');
    }
    if (!caCertPem.includes('-----BEGIN CERTIFICATE-----')) {
      throw invalid(config, `caCert ${caCertPath} holds no PEM certificate`, 'Convert it to PEM, e.g. openssl x509 -inform der -in ca.cer -out ca.pem.');
    }
  }

  const versions = new Map<string, string>();
  const rawVersions = config.options.versions;
  if (rawVersions !== undefined && rawVersions !== null) {
    if (typeof rawVersions !== 'object' || Array.isArray(rawVersions)) {
      throw invalid(config, '"versions" must be a mapping of secret name to version id', 'Write versions: { <secret name>: <32-character version id> }.');
    }
    for (const [name, version] of Object.entries(rawVersions as Record<string, unknown>)) {
      if (!SECRET_NAME.test(name)) throw invalid(config, `versions: "${name}" is not a valid secret name`, 'Secret names are 1–127 letters, digits and dashes.');
      if (typeof version !== 'string' || !VERSION_ID.test(version)) {
        throw invalid(config, `versions: "${name}" must name a version id of 32 hexadecimal characters`, `Copy it from: az keyvault secret list-versions --vault-name ${url.hostname.split('.')[0]} --name ${name} --query "[].id" -o tsv`);
      }
      versions.set(name.toLowerCase(), version.toLowerCase());
    }
  }

  const authorityHost = optionalString(config, 'authorityHost');
  if (authorityHost !== undefined && (!/^https:\/\//.test(authorityHost) || !URL.canParse(authorityHost))) {
    throw invalid(config, `authorityHost "${authorityHost}" must be an https URL`, 'Use e.g. https://login.microsoftonline.us for Azure Government, or remove it.');
  }
  const serviceVersion = optionalString(config, 'serviceVersion');
  if (serviceVersion !== undefined && !(SERVICE_VERSIONS as readonly string[]).includes(serviceVersion)) {
    throw invalid(config, `serviceVersion "${serviceVersion}" is not supported`, `Use one of ${SERVICE_VERSIONS.join(', ')}.`);
  }

  return {
    vaultUrl: url.origin,
    // Emulators on loopback have no vault name in their host: use the host itself.
    vaultName: net.isIP(url.hostname.replace(/^\[|\]$/g, '')) || url.hostname === 'localhost' ? url.host : url.hostname.split('.')[0],
    tenantId,
    clientId,
    caCertPath,
    caCertPem,
    versions,
    authorityHost: authorityHost?.replace(/\/+$/, ''),
    disableChallengeResourceVerification: optionalBoolean(config, 'disableChallengeResourceVerification'),
    disableInstanceDiscovery: authorityHost !== undefined && !MICROSOFT_AUTHORITIES.has(new URL(authorityHost).host.toLowerCase()),
    serviceVersion: serviceVersion as ServiceVersion | undefined,
  };
}

/** The token audience of a vault: the public cloud's unless the host names a sovereign cloud. */
export function vaultScope(vaultUrl: string): string {
  const host = new URL(vaultUrl).hostname;
  for (const suffix of ['vault.azure.cn', 'vault.usgovcloudapi.net', 'vault.microsoftazure.de', 'managedhsm.azure.net']) {
    if (host.endsWith(`.${suffix}`)) return `https://${suffix}/.default`;
  }
  return 'https://vault.azure.net/.default';
}

/** Key under which the client secret of an app registration is kept (SecretStorage / prompt). */
export function clientSecretKey(tenantId: string, clientId: string): string {
  return `azure.clientSecret:${tenantId}:${clientId}`;
}
