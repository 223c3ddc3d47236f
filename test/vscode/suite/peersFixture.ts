/**
 * What the `peers` pass (test/vscode/peers.ts) seeded into moto and OpenBao, handed to the
 * in-host suite as JSON in the `CS_PEERS` environment variable of the VS Code server (the
 * extension host inherits it). Environment, not a file: the seeded values are canaries and must
 * not reach disk.
 */
import assert from 'node:assert/strict';

export interface AwsPeer {
  endpoint: string;
  region: string;
  /** moto's account; sts:GetCallerIdentity answers with it. */
  account: string;
  /** The project folder, relative to the workspace root. */
  project: string;
  /** The connection of that project whose fields reference `secret`. */
  connection: string;
  /** The JSON key/value secret the connection references (name), and its keys. */
  secret: string;
  keys: string[];
  /** The secret scheduled for deletion. */
  deleted: string;
  /** Every secret name moto holds. */
  names: string[];
  /** The Providers view's page size the pass configured (`connectionSecrets.providers.pageSize`). */
  pageSize: number;
  /** Keys the test signs its own PutSecretValue with (moto accepts any while IAM is not enforced). */
  adminKeys: { accessKeyId: string; secretAccessKey: string };
  /** The value the test rotates `secret` to. */
  rotateTo: Record<string, string>;
}

export interface VaultPeer {
  address: string;
  /** The dev server's root token, for the test's own writes (rotation). */
  adminToken: string;
  project: string;
  roleName: string;
  /** Mount path → KV version. */
  engines: Record<string, 1 | 2>;
  /** Every secret as `<engine>:<path>`. */
  secrets: string[];
  /** Connections of the project and the secret ids their references use. */
  connections: Record<string, string[]>;
  /** A KV v2 secret a connection references, and the data the test rotates it to. */
  rotate: { connection: string; engine: string; path: string; to: Record<string, string> };
}

export interface AzurePeer {
  /** Always "stand-in": test/support/keyVaultStandIn.ts, not a real Key Vault emulator. */
  kind: 'stand-in';
  vaultUrl: string;
  project: string;
  connection: string;
  /** Secret names the stand-in holds, and the one that is disabled. */
  names: string[];
  disabled: string;
}

export interface PeersFixture {
  aws: AwsPeer;
  vault: VaultPeer;
  azure?: AzurePeer;
  /** Every secret value seeded or to be written by the test: must never be shown or logged. */
  values: string[];
}

/** The fixture of this pass; fails the test clearly when the harness did not set it. */
export function peersFixture(): PeersFixture {
  const raw = process.env.CS_PEERS;
  assert.ok(raw, 'CS_PEERS is not set: run the peers pass through test/vscode/runInHost.ts (CS_VSCODE_PASSES=peers)');
  return JSON.parse(raw) as PeersFixture;
}
