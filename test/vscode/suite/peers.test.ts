/**
 * The `peers` pass: a `scope: project` workspace whose projects use real secrets managers the
 * harness started for this pass (test/vscode/peers.ts) — AWS Secrets Manager served by moto,
 * the Vault API served by OpenBao — and the HTTPS Azure Key Vault STAND-IN (a fake: nothing real
 * can emulate Key Vault on this machine; see test/support/keyVaultStandIn.ts). Everything goes
 * through the packaged extension's real tree providers and commands; the provider credentials
 * come from the extension host's environment, so nothing prompts (the harness fails the pass if
 * anything does).
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as vscode from 'vscode';
import { activate, assertNoSecret, children, describeItems, flatten, waitFor, workspaceRoot, type ExtensionApi, type ResolveResult, type ShownItem } from './helpers';
import { peersFixture, type PeersFixture } from './peersFixture';

const MASK = '••••••••';

interface RefreshResult {
  connection: string;
  rotated: { secretId: string; oldVersion?: string; newVersion?: string }[];
  unchanged: string[];
  ok: boolean;
}

function find(items: ShownItem[], label: string): ShownItem {
  const item = items.find((i) => i.label === label);
  assert.ok(item, `no item "${label}" among: ${describeItems(items)}`);
  return item;
}

function failures(items: ShownItem[]): string {
  return items
    .filter((i) => i.contextValue === 'message')
    .map((i) => `${i.label}: ${i.description}`)
    .join('; ');
}

/** Secret and folder items only (not "Load more…" or message items). */
function secretsOf(items: ShownItem[]): ShownItem[] {
  return items.filter((i) => /^(secret|folder)\b/.test(i.contextValue));
}

async function resolve(name: string): Promise<ResolveResult & { ok: boolean }> {
  const r = await vscode.commands.executeCommand<(ResolveResult & { ok: boolean }) | undefined>('connectionSecrets.connection.resolve', name);
  assert.ok(r, `resolving ${name} returned nothing (the command failed; see the Connection Secrets log)`);
  return r;
}

async function refresh(name: string): Promise<RefreshResult> {
  const r = await vscode.commands.executeCommand<RefreshResult | undefined>('connectionSecrets.connection.refresh', name);
  assert.ok(r, `refreshing ${name} returned nothing (the command failed; see the Connection Secrets log)`);
  return r;
}

/** What the Troubleshoot commands return (src/extension/troubleshootPanel.ts): redacted results. */
interface TroubleshootRun {
  firstFailure?: string;
  results: { id: string; step: number; status: string; evidence: string[]; fix?: string; reason?: string }[];
}

function fieldsOf(r: ResolveResult): Record<string, { display: string; status: string }> {
  return Object.fromEntries(r.fields.map((f) => [f.path, { display: f.display, status: f.status }]));
}

describe('Providers and connections on moto, OpenBao and the Azure Key Vault stand-in', () => {
  let api: ExtensionApi;
  let peers: PeersFixture;
  /** The provider item of a project, by its description (the project folder, then the identity). */
  const providerOf = async (project: string) => {
    const items = await children(api.providersTree);
    const item = items.find((p) => p.description.split(' — ')[0] === project);
    assert.ok(item, `no provider of ${project} in the Providers view: ${describeItems(items)}`);
    return item;
  };
  const secretsShown = (items: ShownItem[]) => assertNoSecret(items.map((i) => `${i.label}\n${i.description}\n${i.tooltip}`).join('\n'), 'the Providers view', peers.values);

  before(async () => {
    peers = peersFixture();
    api = await activate();
    await api.ready;
  });

  it('loads the project-scoped workspace without a problem and lists one provider per project', async () => {
    const problems = vscode.languages
      .getDiagnostics()
      .flatMap(([uri, ds]) => ds.filter((d) => d.source === 'connection-secrets').map((d) => `${vscode.workspace.asRelativePath(uri)}:${d.range.start.line + 1} ${d.message}`));
    assert.deepEqual(problems, [], 'the peers workspace is valid and every reference resolves');
    const providers = await children(api.providersTree);
    assert.deepEqual(
      providers.map((p) => `${p.label} (${p.description.split(' — ')[0]})`).sort(),
      [`aws (${peers.aws.project})`, `azure (${peers.azure!.project})`, `vault (${peers.vault.project})`],
    );
    const projects = await children(api.connectionsTree);
    assert.deepEqual(projects.map((p) => p.label).sort(), [peers.aws.project, peers.azure!.project, peers.vault.project]);
  });

  describe('aws (moto)', () => {
    it('shows the identity from sts:GetCallerIdentity on the provider item', async () => {
      const aws = await providerOf(peers.aws.project);
      await children(api.providersTree, aws.element);
      const description = await waitFor('the aws identity in the provider description', async () => {
        const d = (await api.providersTree.getTreeItem(aws.element)).description;
        return typeof d === 'string' && d.includes(peers.aws.account) ? d : undefined;
      });
      assert.match(description, new RegExp(`^${peers.aws.project} — ${peers.aws.account} arn:aws:[a-z]+::${peers.aws.account}:\\S+$`));
    });

    it("lists moto's secret names a page at a time, with Load more, never values", async () => {
      const aws = await providerOf(peers.aws.project);
      let shown = await children(api.providersTree, aws.element);
      assert.equal(failures(shown), '', 'listing failed');
      assert.equal(secretsOf(shown).length, peers.aws.pageSize, `the first page holds pageSize (${peers.aws.pageSize}) secrets`);
      const pages = [secretsOf(shown).length];
      while (shown.some((i) => i.contextValue === 'loadMore')) {
        assert.ok(pages.length < 10, 'Load more never ends');
        const more = shown.find((i) => i.contextValue === 'loadMore')!;
        assert.equal(more.item.command?.command, 'connectionSecrets.providers.loadMore');
        const before = secretsOf(shown).length;
        await vscode.commands.executeCommand(more.item.command!.command, ...(more.item.command!.arguments ?? []));
        shown = await children(api.providersTree, aws.element);
        assert.equal(failures(shown), '', 'loading more failed');
        pages.push(secretsOf(shown).length - before);
      }
      assert.deepEqual(pages, [10, 10, peers.aws.names.length - 20], 'pages of the configured size, the last one partial');
      assert.deepEqual(secretsOf(shown).map((s) => s.label).sort(), peers.aws.names, 'every secret moto holds, once');
      secretsShown(shown);
    });

    it('marks the secret scheduled for deletion', async () => {
      const shown = await children(api.providersTree, (await providerOf(peers.aws.project)).element);
      const deleted = find(shown, peers.aws.deleted);
      assert.equal(deleted.description, 'marked for deletion');
      assert.match(deleted.contextValue, /\bstate-pendingDeletion\b/);
      const active = find(shown, peers.aws.secret);
      assert.doesNotMatch(active.contextValue, /state-/);
      assert.match(active.description, /^updated \d{4}-\d\d-\d\d$/);
    });

    it('resolves the connection with masked values, and refresh reports the rotation done in moto', async () => {
      const r = await resolve(peers.aws.connection);
      assert.ok(r.ok, `${peers.aws.connection} did not resolve: ${JSON.stringify(r.fields)}`);
      const fields = fieldsOf(r);
      assert.deepEqual(fields.user, { display: MASK, status: 'resolved' });
      assert.deepEqual(fields.password, { display: MASK, status: 'resolved' });
      assert.deepEqual(fields.host, { display: 'orders.db.example.com', status: 'literal' });
      assertNoSecret(JSON.stringify(r), 'the resolve result', peers.values);

      const sm = new SecretsManagerClient({ endpoint: peers.aws.endpoint, region: peers.aws.region, credentials: peers.aws.adminKeys });
      try {
        await sm.send(new PutSecretValueCommand({ SecretId: peers.aws.secret, SecretString: JSON.stringify(peers.aws.rotateTo) }));
      } finally {
        sm.destroy();
      }
      const report = await refresh(peers.aws.connection);
      assert.ok(report.ok, 'the connection does not resolve after the refresh');
      assert.deepEqual(report.rotated.map((x) => x.secretId), [peers.aws.secret], 'refresh did not report the secret rotated in moto');
      const [rotation] = report.rotated;
      assert.ok(rotation.oldVersion && rotation.newVersion && rotation.oldVersion !== rotation.newVersion, `versions: ${JSON.stringify(rotation)}`);
      assertNoSecret(JSON.stringify(report), 'the refresh report', peers.values);
    });
  });

  describe('vault (OpenBao)', () => {
    it('shows the AppRole identity and lists the KV engines with their version', async () => {
      const vault = await providerOf(peers.vault.project);
      const shown = await children(api.providersTree, vault.element);
      assert.equal(failures(shown), '', 'listing the engines failed');
      const engines = secretsOf(shown);
      const byName = Object.fromEntries(engines.map((e) => [e.label, e]));
      for (const [engine, version] of Object.entries(peers.vault.engines)) {
        const item = byName[`${engine}/`];
        assert.ok(item, `engine ${engine}/ missing among: ${describeItems(engines)}`);
        assert.equal(item.contextValue, 'folder');
        assert.equal(item.description, `KV v${version}`);
      }
      // The dev server's own KV v2 engine is listed too; cubbyhole/ (not KV) is not.
      assert.deepEqual(engines.map((e) => e.label).sort(), ['kv1/', 'kv2/', 'secret/']);
      const description = await waitFor('the vault identity in the provider description', async () => {
        const d = (await api.providersTree.getTreeItem(vault.element)).description;
        return typeof d === 'string' && d.includes('AppRole') ? d : undefined;
      });
      assert.match(description, new RegExp(`^${peers.vault.project} — AppRole role "${peers.vault.roleName}" \\(policies: .*\\b${peers.vault.roleName}\\b`));
    });

    it('expands nested folders lazily, one LIST per folder opened, down to the secrets', async () => {
      const vault = await providerOf(peers.vault.project);
      // Let the provider item's identity lookup settle so it is not counted below.
      await waitFor('the vault identity', async () => /AppRole/.test(String((await api.providersTree.getTreeItem(vault.element)).description)));

      const callsToOpen: Record<string, number> = {};
      /** Opens folder `label` under `parent`, counting the provider calls that takes, then its subfolders. */
      const walk = async (parent: unknown, label: string, prefix: string): Promise<string[]> => {
        const node = find(secretsOf(await children(api.providersTree, parent)), label);
        assert.ok(node.collapsible, `${prefix}${label} is a folder but cannot be expanded`);
        const before = api.cacheStats().providerCalls;
        const items = await children(api.providersTree, node.element);
        callsToOpen[`${prefix}${label}`] = api.cacheStats().providerCalls - before;
        assert.equal(failures(items), '', `listing ${prefix}${label} failed`);
        const found: string[] = [];
        for (const child of secretsOf(items)) {
          if (child.contextValue === 'folder') found.push(...(await walk(node.element, child.label, `${prefix}${label}`)));
          else found.push(`${prefix}${label}${child.label}`);
        }
        return found;
      };
      const found: string[] = [];
      for (const engine of Object.keys(peers.vault.engines)) found.push(...(await walk(vault.element, `${engine}/`, '')));
      assert.deepEqual(found.sort(), peers.vault.secrets.map((id) => id.replace(':', '/')).sort(), 'every secret under the KV v1 and v2 engines');
      assert.ok('kv2/apps/payments/' in callsToOpen && 'kv1/legacy/deep/nested/' in callsToOpen, `nested folders not reached: ${Object.keys(callsToOpen).join(', ')}`);
      // Lazy: opening a folder lists that folder only (one provider call), nothing deeper.
      for (const [folder, calls] of Object.entries(callsToOpen)) assert.equal(calls, 1, `opening ${folder} made ${calls} provider calls`);
      // Reopening a folder uses the listing already loaded.
      const kv2 = find(secretsOf(await children(api.providersTree, vault.element)), 'kv2/');
      const apps = find(secretsOf(await children(api.providersTree, kv2.element)), 'apps/');
      const before = api.cacheStats().providerCalls;
      await children(api.providersTree, apps.element);
      assert.equal(api.cacheStats().providerCalls - before, 0, 'reopening a folder listed it again');
      secretsShown(await flatten(api.providersTree, 6));
    });

    it('resolves KV v2 and KV v1 references with masked values, and refresh reports the rotation done in OpenBao', async () => {
      for (const [connection, ids] of Object.entries(peers.vault.connections)) {
        const r = await resolve(connection);
        assert.ok(r.ok, `${connection} (${ids.join(', ')}) did not resolve: ${JSON.stringify(r.fields)}`);
        const masked = r.fields.filter((f) => f.status === 'resolved');
        assert.ok(masked.length > 0, `${connection} has no resolved field`);
        for (const f of masked) assert.equal(f.display, MASK, `${connection} ${f.path}`);
        assertNoSecret(JSON.stringify(r), `the resolve result of ${connection}`, peers.values);
      }

      const { connection, engine, path: secretPath, to } = peers.vault.rotate;
      const res = await fetch(`${peers.vault.address}/v1/${engine}/data/${secretPath}`, {
        method: 'POST',
        headers: { 'X-Vault-Token': peers.vault.adminToken, 'Content-Type': 'application/json' },
        body: JSON.stringify({ data: to }),
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(res.status, 200, `writing the new version to OpenBao answered HTTP ${res.status}`);
      await res.body?.cancel();
      const report = await refresh(connection);
      assert.ok(report.ok, `${connection} does not resolve after the refresh`);
      assert.deepEqual(report.rotated, [{ secretId: `${engine}:${secretPath}`, oldVersion: '1', newVersion: '2' }]);
      assertNoSecret(JSON.stringify(report), 'the refresh report', peers.values);
    });
  });

  describe('azure (Key Vault stand-in, not a real Key Vault)', () => {
    it('lists the stand-in secret names with the disabled one marked, and resolves the connection masked', async () => {
      const azure = await providerOf(peers.azure!.project);
      const shown = await children(api.providersTree, azure.element);
      assert.equal(failures(shown), '', 'listing failed');
      assert.deepEqual(secretsOf(shown).map((s) => s.label).sort(), peers.azure!.names);
      assert.equal(find(shown, peers.azure!.disabled).description, 'disabled');
      secretsShown(shown);
      const r = await resolve(peers.azure!.connection);
      assert.ok(r.ok, `${peers.azure!.connection} did not resolve: ${JSON.stringify(r.fields)}`);
      assert.deepEqual(fieldsOf(r)['auth.token'], { display: `Bearer ${MASK}`, status: 'resolved' });
      assertNoSecret(JSON.stringify(r), 'the resolve result', peers.values);
    });
  });

  describe('editor assistance on the real providers (completion, hover, link)', () => {
    const fileOf = async (project: string) => vscode.workspace.openTextDocument(vscode.Uri.file(path.join(workspaceRoot(), project, 'connections.yaml')));
    const at = (doc: vscode.TextDocument, marker: string, offset: number) => {
      const i = doc.getText().indexOf(marker);
      assert.ok(i >= 0, `"${marker}" is not in ${vscode.workspace.asRelativePath(doc.uri)}`);
      return doc.positionAt(i + offset);
    };
    const complete = async (doc: vscode.TextDocument, position: vscode.Position) => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, position, ':');
      assertNoSecret(JSON.stringify(list.items), 'completion items', peers.values);
      return list.items;
    };
    const labelOf = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);

    it('aws (moto): every secret name over three pages from the listing the tree paged through, none called for 100 requests; then the keys, names only', async () => {
      const doc = await fileOf(peers.aws.project);
      const ref = `{{workato:sm:password:${peers.aws.secret}}}`;
      const secretPart = at(doc, ref, '{{workato:sm:password:'.length);
      const before = api.cacheStats().providerCalls;
      const items = await complete(doc, secretPart);
      const names = items.filter((i) => i.kind === vscode.CompletionItemKind.Value).map(labelOf);
      assert.deepEqual([...names].sort(), [...peers.aws.names].sort(), 'the names moto holds');
      // "lists moto's secret names a page at a time" paged the tree to the end: completion answers
      // from that listing, adopted, instead of paging moto again (unit tests and the bench cover
      // the listing's own paging).
      const calls = api.cacheStats().providerCalls - before;
      assert.equal(calls, 0, 'completion listed moto again after the tree had paged through it');
      assert.ok(api.listingStats().adopted > 0, `no listing was adopted: ${JSON.stringify(api.listingStats())}`);
      const listed = api.cacheStats().providerCalls;
      for (let i = 0; i < 100; i++) await vscode.commands.executeCommand('vscode.executeCompletionItemProvider', doc.uri, secretPart, ':');
      assert.equal(api.cacheStats().providerCalls, listed, '100 more requests called moto');
      const keyPart = at(doc, ref, '{{workato:sm:'.length);
      const keys = (await complete(doc, keyPart)).filter((i) => i.kind === vscode.CompletionItemKind.Property).map(labelOf);
      assert.deepEqual([...keys].sort(), [...peers.aws.keys].sort());
    });

    it('vault (OpenBao): engines, folders and secrets along the path, and the keys', async () => {
      const doc = await fileOf(peers.vault.project);
      const ref = '{{workato:sm:password:kv2:apps/payments/db}}';
      const engines = (await complete(doc, at(doc, ref, '{{workato:sm:password:'.length))).map(labelOf);
      for (const e of Object.keys(peers.vault.engines)) assert.ok(engines.includes(`${e}/`), `no engine ${e}/ among ${engines.join(', ')}`);
      const top = (await complete(doc, at(doc, ref, '{{workato:sm:password:kv2:'.length))).map(labelOf);
      assert.ok(top.includes('apps/'), `kv2/ holds apps/: ${top.join(', ')}`);
      const inApps = (await complete(doc, at(doc, ref, '{{workato:sm:password:kv2:apps/'.length))).map(labelOf);
      assert.deepEqual([...inApps].sort(), ['payments/', 'reporting/']);
      const inPayments = (await complete(doc, at(doc, ref, '{{workato:sm:password:kv2:apps/payments/'.length))).map(labelOf);
      assert.deepEqual([...inPayments].sort(), ['api', 'db']);
      const keys = (await complete(doc, at(doc, ref, '{{workato:sm:'.length))).filter((i) => i.kind === vscode.CompletionItemKind.Property).map(labelOf);
      assert.ok(keys.includes('password') && keys.includes('username'), `keys: ${keys.join(', ')}`);
    });

    it('hover on the moto reference: version and last change, no value; its link reveals the secret past "Load more"', async () => {
      const doc = await fileOf(peers.aws.project);
      const ref = `{{workato:sm:password:${peers.aws.secret}}}`;
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at(doc, ref, 4));
      const text = hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))).join('\n');
      assert.match(text, /\$\(pass\) resolved/);
      assert.match(text, /Provider: aws \(/);
      assert.match(text, /Version: `[0-9a-f-]{36}`/);
      assert.match(text, /Last changed: \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
      assertNoSecret(text, 'the hover', peers.values);
      const links = (await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri)).filter((l) => l.target?.scheme === 'command');
      const link = links.find((l) => decodeURIComponent(l.target!.query).includes(`"secretId":"${peers.aws.secret}"`));
      assert.ok(link, `no link to ${peers.aws.secret}`);
      const result = await vscode.commands.executeCommand<{ revealed: string }>(link.target!.path, ...(JSON.parse(decodeURIComponent(link.target!.query)) as unknown[]));
      assert.ok(result, 'the reveal command failed (see the log)');
      const selected = await waitFor('the tree selection', () => api.providersView.selection.length > 0 && api.providersView.selection);
      assert.equal((await api.providersTree.getTreeItem(selected[0])).label, peers.aws.secret);
    });

    it('the link of a Vault reference reveals the secret inside its folders', async () => {
      const doc = await fileOf(peers.vault.project);
      const links = (await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', doc.uri)).filter((l) => l.target?.scheme === 'command');
      const link = links.find((l) => decodeURIComponent(l.target!.query).includes('"secretId":"kv2:apps/payments/db"'));
      assert.ok(link, 'no link to kv2:apps/payments/db');
      const result = await vscode.commands.executeCommand<{ revealed: string }>(link.target!.path, ...(JSON.parse(decodeURIComponent(link.target!.query)) as unknown[]));
      assert.match(result?.revealed ?? '', /:kv2:apps\/payments\/db$/);
      await waitFor('the vault secret selected', async () => {
        const sel = api.providersView.selection;
        return sel.length > 0 && (await api.providersTree.getTreeItem(sel[0])).id === result.revealed;
      });
    });
  });

  describe('Troubleshoot Provider on each peer (fully permitted: nothing fails)', () => {
    const projects: [string, string, () => string | undefined][] = [
      ['aws (moto)', 'aws', () => peers.aws.project],
      ['vault (OpenBao)', 'vault', () => peers.vault.project],
      ['azure (Key Vault stand-in)', 'azure', () => peers.azure?.project],
    ];
    for (const [label, type, project] of projects) {
      it(`${label}: every check passes (or is skipped with its reason), and no seeded value is in the results`, async () => {
        const where = project();
        assert.ok(where, `the pass has no ${type} project`);
        const item = await providerOf(where);
        const run = await vscode.commands.executeCommand<TroubleshootRun | undefined>('connectionSecrets.troubleshoot.provider', item.element);
        assert.ok(run, `Troubleshoot Provider on ${label} returned nothing (the command failed; see the Connection Secrets log)`);
        const line = (r: TroubleshootRun['results'][number]) => `${r.id}: ${r.status}${r.reason ? ` (${r.reason})` : ''} ${r.evidence.join(' | ')}${r.fix ? ` — fix: ${r.fix}` : ''}`;
        assert.deepEqual(run.results.filter((r) => r.status === 'fail').map(line), [], 'a check failed on a fully permitted setup');
        assert.equal(run.firstFailure, undefined);
        assert.ok(run.results.some((r) => r.status === 'pass' && r.step === 2), `no raw call passed: ${run.results.map(line).join('; ')}`);
        for (const r of run.results.filter((x) => x.status === 'skipped')) assert.ok(r.reason, `${r.id} was skipped without a reason`);
        assertNoSecret(JSON.stringify(run), `the checks of ${label}`, peers.values);
      });
    }
  });

  // Mocha runs a suite's own tests before its nested suites: this one must come after them.
  describe('output channel', () => {
    it('the output channel holds the masked results and the rotations, and no value', async () => {
      await vscode.commands.executeCommand('connectionSecrets.showLog');
      const doc = await waitFor('the output channel with the rotations', () =>
        vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /Connection Secrets/.test(decodeURIComponent(d.uri.toString())) && /rotated: kv2:/.test(d.getText())),
      );
      const text = doc.getText();
      assert.ok(text.includes(`Resolved ${peers.aws.connection} (postgres): 2/2 reference(s)`), `no resolve line for ${peers.aws.connection}:\n${text.slice(-1500)}`);
      assert.ok(text.includes(`password: ${MASK} [resolved]`), 'the log lacks a masked field');
      assert.match(text, new RegExp(`Refreshed ${peers.aws.connection}: rotated: ${peers.aws.secret} \\S+ → \\S+`));
      assert.ok(text.includes(`Refreshed ${peers.vault.rotate.connection}: rotated: ${peers.vault.rotate.engine}:${peers.vault.rotate.path} 1 → 2`), 'the log lacks the vault rotation');
      assertNoSecret(text, 'the output channel', peers.values);
    });
  });
});
