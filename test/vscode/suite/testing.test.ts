/**
 * Testing connections inside a real VS Code: the commands authenticate to a real nginx
 * (auth_basic) started by this file, the CodeLens sits above each connection, the Connections
 * tree shows each result, a vscode:// link refreshes after a rotation, and Workato's clear-cache
 * goes to the tests' Workato API stand-in (test/support/workatoServer.ts: the real API cannot be
 * reached from here) with the token from SecretStorage.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { canary } from '../../support/canary';
import { nginxInstall, nginxInstalled, startNginx, type NginxPeer } from '../../support/nginx';
import { missingPeer } from '../../support/peer';
import { hasOpenssl, issueCert, makeCa } from '../../support/pki';
import { startWorkatoServer, type WorkatoServer } from '../../support/workatoServer';
import { activate, assertNoSecret, expectPrompt, flatten, openLink, registerCanaries, waitFor, workspaceRoot, type ExtensionApi, type ShownItem } from './helpers';

interface TestOutcome {
  connection: string;
  ok: boolean;
  failureClass?: string;
  message: string;
  durationMs: number;
  details?: Record<string, string>;
}

interface RefreshOutcome {
  connection: string;
  rotated: { secretId: string; oldVersion?: string; newVersion?: string }[];
  ok: boolean;
  test?: TestOutcome;
}

interface HandledLink {
  path: string;
  connection?: string;
  outcome: unknown;
  refused?: string;
}

type Api = ExtensionApi & { handledLinks(): readonly HandledLink[] };

const LIVE = 'live-api';

async function connectionItem(api: ExtensionApi, name: string): Promise<ShownItem> {
  const item = (await flatten(api.connectionsTree, 2)).find((i) => i.label === name && /\bconnection\b/.test(i.contextValue));
  assert.ok(item, `no ${name} item in the Connections tree`);
  return item;
}

async function test(name: unknown): Promise<TestOutcome> {
  const r = await vscode.commands.executeCommand<TestOutcome | undefined>('connectionSecrets.connection.test', name);
  assert.ok(r, 'Test Connection returned nothing (the command failed; see the Connection Secrets log)');
  return r;
}

describe('testing connections (real nginx with auth_basic)', function () {
  let api: Api;
  let nginx: NginxPeer | undefined;
  let dir: string;
  let secretsFile: string;
  let originalSecrets: string;
  let liveFile: string;
  const username = 'live-user';
  const password = canary('nginx-basic');
  const stale = canary('nginx-stale');

  function writeLiveSecret(value: string) {
    const secrets = JSON.parse(fs.readFileSync(secretsFile, 'utf8'));
    secrets.live = { username, password: value };
    fs.writeFileSync(secretsFile, JSON.stringify(secrets, null, 2));
  }

  before(async function () {
    if (!nginxInstalled()) missingPeer(this, 'nginx', nginxInstall);
    if (!hasOpenssl()) missingPeer(this, 'openssl', nginxInstall);
    api = (await activate()) as Api;
    await api.ready;
    registerCanaries(password, stale);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-inhost-nginx-'));
    const ca = makeCa(dir, 'inhost-ca');
    nginx = await startNginx({
      credentials: { basic: { username, password }, bearerTokens: [canary('unused-bearer')], apiKey: { header: 'X-API-Key', value: canary('unused-key') } },
      serverCert: issueCert(dir, ca, 'inhost-server', 'server'),
      clientCa: ca,
    });
    secretsFile = path.join(workspaceRoot(), 'secrets.json');
    originalSecrets = fs.readFileSync(secretsFile, 'utf8');
    // The secrets manager first holds a stale password: the rotation below brings the right one.
    writeLiveSecret(stale);
    // In a folder that exists from the start: the file watcher does not see files in new folders.
    liveFile = path.join(workspaceRoot(), 'projects', 'connections.yaml');
    fs.writeFileSync(
      liveFile,
      [
        '# Written by the in-host tests: a connection to the nginx they started.',
        'connections:',
        `  ${LIVE}:`,
        '    type: http',
        `    url: ${nginx.httpUrl}/basic`,
        '    auth:',
        '      type: basic',
        '      username: "{{workato:sm:username:live}}"',
        '      password: "{{workato:sm:password:live}}"',
        '',
      ].join('\n'),
    );
    await waitFor(`${LIVE} in the workspace model`, async () => (await flatten(api.connectionsTree, 2)).some((i) => i.label === LIVE));
  });

  after(async () => {
    if (liveFile) fs.rmSync(liveFile, { force: true });
    if (originalSecrets) fs.writeFileSync(secretsFile, originalSecrets);
    await nginx?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    if (api) await waitFor(`${LIVE} to leave the tree`, async () => !(await flatten(api.connectionsTree, 2)).some((i) => i.label === LIVE));
  });

  it('puts a "Test connection" CodeLens above each testable connection of a connections.yaml', async () => {
    for (const [file, names] of [
      [path.join(workspaceRoot(), 'connections.yaml'), ['jira', 'status-page']],
      [path.join(workspaceRoot(), 'projects', 'devops', 'connections.yaml'), ['warehouse', 'deploy-box']],
      [liveFile, [LIVE]],
    ] as const) {
      const uri = vscode.Uri.file(file);
      const doc = await vscode.workspace.openTextDocument(uri);
      const lenses = await waitFor(`CodeLenses in ${path.relative(workspaceRoot(), file)}`, async () => {
        const all = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
        const ours = all.filter((l) => l.command?.command === 'connectionSecrets.connection.test');
        return ours.length >= names.length && ours;
      });
      assert.deepEqual(
        lenses.map((l) => l.command?.title),
        names.map(() => '$(beaker) Test connection'),
      );
      for (const [i, name] of names.entries()) {
        const line = doc.getText().split('\n').findIndex((l) => l === `  ${name}:`);
        assert.equal(lenses[i].range.start.line, line, `the lens for ${name} is not on its line`);
        assert.deepEqual(lenses[i].command?.arguments, [{ file, name }]);
      }
    }
  });

  it('Test Connection reports bad credentials for a stale password, on the tree item and the CodeLens', async () => {
    const r = await test(LIVE);
    assert.equal(r.ok, false);
    assert.equal(r.failureClass, 'badCredentials', r.message);
    assert.match(r.message, /401|reject/i);
    const item = await waitFor(`${LIVE}'s tree item to show the result`, async () => {
      const i = await connectionItem(api, LIVE);
      return /test failed: bad credentials/.test(i.description) && i;
    });
    assert.match(item.tooltip, /Last test:/);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', vscode.Uri.file(liveFile))) ?? [];
    assert.ok(lenses.some((l) => l.command?.title === '$(error) bad credentials'), lenses.map((l) => l.command?.title).join(', '));
    assertNoSecret(JSON.stringify([r, item.description, item.tooltip]), 'the test result', [password, stale]);
  });

  it('after a rotation the cached value still fails, until the connection is refreshed', async () => {
    writeLiveSecret(password);
    // Through the tree item, as the context menu passes it.
    const r = await test((await connectionItem(api, LIVE)).element);
    assert.equal(r.failureClass, 'badCredentials', 'the test should use the cached (stale) password');
  });

  it('a vscode:// refresh link re-resolves, reports the new version and re-tests: passed', async () => {
    const before = api.handledLinks().length;
    assert.ok(await openLink(`/refresh?connection=${encodeURIComponent(LIVE)}`), 'VS Code did not accept the link');
    const handled = await waitFor('the refresh link to be handled', () => api.handledLinks().length > before && api.handledLinks()[api.handledLinks().length - 1], 60_000);
    assert.equal(handled.path, '/refresh');
    assert.equal(handled.connection, LIVE);
    const report = handled.outcome as RefreshOutcome | undefined;
    assert.ok(report, 'the refresh command failed (see the log)');
    assert.deepEqual(report.rotated.map((x) => x.secretId), ['live']);
    assert.ok(report.rotated[0].oldVersion && report.rotated[0].newVersion && report.rotated[0].oldVersion !== report.rotated[0].newVersion, JSON.stringify(report.rotated));
    assert.ok(report.test, 'refresh did not re-test the connection');
    assert.equal(report.test.ok, true, report.test.message);
    assert.equal(report.test.details?.httpStatus, '200');
    await waitFor(`${LIVE}'s tree item to show the passed test`, async () => /test passed/.test((await connectionItem(api, LIVE)).description));
    assertNoSecret(JSON.stringify(handled), 'the refresh result', [password, stale]);
  });

  it('Test Connection passes with the refreshed password', async () => {
    const r = await test(LIVE);
    assert.equal(r.ok, true, r.message);
    assert.ok(r.durationMs >= 0);
    assert.equal(r.details?.httpStatus, '200');
    assert.equal(r.details?.authType, 'basic');
  });

  it('Test All Connections tests every testable connection and summarises by failure class', async () => {
    const r = await vscode.commands.executeCommand<{ summary: { total: number; passed: number; failed: number; byClass: Record<string, number> }; results: TestOutcome[] }>('connectionSecrets.testAll');
    assert.ok(r, 'Test All Connections returned nothing (the command failed)');
    const by = Object.fromEntries(r.results.map((x) => [x.connection, x]));
    // The demo's six connections (example.com hosts: no such host here) and the live one.
    assert.equal(r.summary.total, 7, Object.keys(by).join(', '));
    assert.equal(by[LIVE]?.ok, true, by[LIVE]?.message);
    assert.equal(r.summary.passed, 1);
    assert.equal(by.jira?.failureClass, 'unreachable', by.jira?.message);
    assert.equal(by.payments?.failureClass, 'config', 'payments has a reference to a missing key');
    assert.match(by.payments?.message ?? '', /^Not tested: /);
    const total = Object.values(r.summary.byClass).reduce((a, b) => a + b, 0);
    assert.equal(total, r.summary.failed);
    for (const name of ['jira', 'warehouse', LIVE]) {
      const item = await connectionItem(api, name);
      assert.match(item.description, name === LIVE ? /test passed/ : /test failed/, `${name}: ${item.description}`);
    }
    assertNoSecret(JSON.stringify(r), 'the Test All result', [password, stale]);
  });

  it('an edit to the connection file clears its test result from the tree', async () => {
    fs.appendFileSync(liveFile, '# touched\n');
    await waitFor(`${LIVE}'s test result to be cleared`, async () => !/test (passed|failed)/.test((await connectionItem(api, LIVE)).description));
  });

  it('a link to an unknown connection runs nothing and names the problem', async () => {
    const before = api.handledLinks().length;
    await openLink('/refresh?connection=no-such-connection');
    const handled = await waitFor('the link to be handled', () => api.handledLinks().length > before && api.handledLinks()[api.handledLinks().length - 1], 60_000);
    assert.equal(handled.connection, 'no-such-connection');
    assert.equal(handled.outcome, undefined, 'a refresh ran for a connection that does not exist');
  });
});

describe('Workato: Clear Workato Secrets Cache (the tests\' Workato API stand-in)', function () {
  let workato: WorkatoServer;
  const token = canary('workato-token');
  const config = () => vscode.workspace.getConfiguration('connectionSecrets');

  interface ClearOutcome {
    ok: boolean;
    code?: string;
    message?: string;
    baseUrl?: string;
    attempts?: number;
  }
  const clear = async () => {
    const r = await vscode.commands.executeCommand<ClearOutcome>('connectionSecrets.workato.clearCache');
    assert.ok(r, 'clear-cache returned nothing (the command failed)');
    return r;
  };

  before(async () => {
    await activate();
    registerCanaries(token);
    workato = await startWorkatoServer({ token });
    await config().update('workato.dataCenter', 'custom', vscode.ConfigurationTarget.Global);
    await config().update('workato.baseUrl', workato.baseUrl, vscode.ConfigurationTarget.Global);
    await waitFor('the custom Workato base URL setting', () => config().get('workato.baseUrl') === workato.baseUrl);
  });

  after(async () => {
    await vscode.commands.executeCommand('connectionSecrets.workato.forgetToken');
    await config().update('workato.dataCenter', undefined, vscode.ConfigurationTarget.Global);
    await config().update('workato.baseUrl', undefined, vscode.ConfigurationTarget.Global);
    await workato?.stop();
  });

  it('clears the cache with the token from SecretStorage', async () => {
    const stored = await vscode.commands.executeCommand<{ ok: boolean; baseUrl: string }>('connectionSecrets.workato.setToken', token);
    assert.deepEqual(stored, { ok: true, baseUrl: workato.baseUrl });
    const r = await clear();
    assert.equal(r.ok, true, r.message);
    assert.equal(r.baseUrl, workato.baseUrl);
    const last = workato.requests[workato.requests.length - 1];
    assert.deepEqual(last && { method: last.method, path: last.path, tokenOk: last.tokenOk }, { method: 'POST', path: '/api/secrets_management/clear_cache', tokenOk: true });
    // A second call needs no prompt either: the token stays stored.
    assert.equal((await clear()).ok, true);
  });

  it('names the fix on 401 (rejected token), without the token in the message', async () => {
    const wrong = canary('workato-wrong');
    registerCanaries(wrong);
    await vscode.commands.executeCommand('connectionSecrets.workato.setToken', wrong);
    const r = await clear();
    assert.equal(r.ok, false);
    assert.equal(r.code, 'Unauthenticated');
    assert.match(r.message ?? '', /HTTP 401.*store it again/s);
    assertNoSecret(JSON.stringify(r), 'the 401 result', [wrong, token]);
    await vscode.commands.executeCommand('connectionSecrets.workato.setToken', token);
  });

  it('names the wait on 429 (60 requests a minute)', async () => {
    workato.script.push({ status: 429, headers: { 'retry-after': '600' }, body: { message: 'Too many requests' } });
    const r = await clear();
    assert.equal(r.code, 'Throttled');
    assert.match(r.message ?? '', /60 requests a minute.*Try again in 600 s/s);
  });

  it('names the setting to check when the API cannot be reached', async () => {
    await workato.stop();
    const r = await clear();
    assert.equal(r.code, 'Unreachable');
    assert.match(r.message ?? '', /data-centre setting/);
    workato = await startWorkatoServer({ token });
    await config().update('workato.baseUrl', workato.baseUrl, vscode.ConfigurationTarget.Global);
    await waitFor('the new Workato base URL setting', () => config().get('workato.baseUrl') === workato.baseUrl);
  });

  it('asks again once the token is forgotten (and sends nothing when the prompt is dismissed)', async () => {
    const forgot = await vscode.commands.executeCommand<{ forgot: boolean }>('connectionSecrets.workato.forgetToken');
    assert.equal(forgot?.forgot, false, 'the new base URL has no token yet');
    const seen = workato.requests.length;
    // The harness may see the prompt before this test dismisses it: it is the one under test.
    expectPrompt(`Workato API token for ${workato.baseUrl}`);
    let settled: ClearOutcome | undefined;
    const pending = Promise.resolve(vscode.commands.executeCommand<ClearOutcome>('connectionSecrets.workato.clearCache')).then((r) => (settled = r));
    // The password prompt is open: dismiss it as a user pressing Escape would.
    await waitFor('the clear-cache command to give up without a token', async () => {
      await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
      return settled !== undefined;
    });
    await pending;
    assert.equal(settled?.code, 'NoToken');
    assert.equal(workato.requests.length, seen, 'a request was sent without a token');
  });
});
