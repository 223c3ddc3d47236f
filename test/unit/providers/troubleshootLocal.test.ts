import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadWorkspace } from '../../../src/core/config';
import type { WorkspaceModel } from '../../../src/core/model';
import { firstFailure, runChecks, troubleshootTargets, type CheckResult } from '../../../src/core/troubleshoot';
import { troubleshootChecks } from '../../../src/providers';
import { jsonSyntaxErrorOffset, lineColumn, shellQuote } from '../../../src/providers/localTroubleshoot';
import { assertNoCanary, canary } from '../../support/canary';
import { tempWorkspace } from '../../support/workspace';

const noCredentials = { get: async () => undefined, forget: async () => {} };
const demo = path.resolve(__dirname, '../../../examples/demo');

/** The demo's connection files, with `secrets` written as its secrets.json. */
function demoWorkspace(secrets: string | undefined) {
  const files: Record<string, string> = {};
  for (const rel of ['connections.yaml', '.gitignore', 'projects/analytics/connections.yaml', 'projects/devops/connections.yaml']) files[rel] = fs.readFileSync(path.join(demo, rel), 'utf8');
  if (secrets !== undefined) files['secrets.json'] = secrets;
  return tempWorkspace(files);
}

async function doctor(model: WorkspaceModel, selection: { connection?: string } = {}, env?: NodeJS.ProcessEnv): Promise<CheckResult[]> {
  const [target] = troubleshootTargets(model, selection);
  return runChecks(await troubleshootChecks(target, { credentials: noCredentials, env }), { timeoutMs: 10_000 });
}

const statuses = (results: CheckResult[]) => Object.fromEntries(results.map((r) => [r.id, r.status]));

/** Runs a reproduce command as a person would paste it (POSIX shell). */
function sh(command: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('sh', ['-c', command], { encoding: 'utf8', env });
  return `${r.stdout}${r.stderr}`;
}

describe('troubleshooting the file provider', () => {
  const values = { jiraPass: canary('jira-pass'), token: canary('statuspage'), apiKey: canary('payments'), user: canary('jira-user') };
  const secrets = {
    jira: { username: values.user, password: values.jiraPass },
    statuspage: { token: values.token },
    warehouse: { username: 'analyst', password: canary('warehouse') },
    reporting: { username: 'reporter', password: canary('reporting') },
    payments: { api_key: values.apiKey },
    deploy: { privateKey: canary('deploy') },
  };
  const canaries = [...Object.values(values), ...Object.values(secrets).flatMap((s) => Object.values(s)).filter((v) => v.startsWith('CANARY'))];
  let ws: ReturnType<typeof tempWorkspace>;
  let model: WorkspaceModel;

  before(async () => {
    ws = demoWorkspace(JSON.stringify(secrets, null, 2));
    model = await loadWorkspace(ws.root);
  });
  after(() => ws.cleanup());

  it('passes every check of a healthy connection, with evidence and no value', async () => {
    const results = await doctor(model, { connection: 'jira' });
    assert.deepEqual(statuses(results), { 'file.exists': 'pass', 'file.json': 'pass', 'file.gitIgnored': 'pass', 'file.secrets': 'pass', 'file.rawRead': 'pass' });
    assert.match(results[1].evidence[0], /an object with 6 secret\(s\)/);
    assert.deepEqual(results[3].evidence, ['secret "jira" keys "username", "password" → present']);
    // Step 2 shows the entry's structure, each value masked.
    assert.equal(results[4].step, 2);
    assert.equal(results[4].evidence[0], 'read "jira" from secrets.json → {"jira":{"username":"••••••••","password":"••••••••"}}');
    assertNoCanary(JSON.stringify(results), canaries, 'the check results');
  });

  it('names the missing key of the demo\'s broken reference and the closest existing key', async () => {
    const results = await doctor(model, { connection: 'payments' });
    const first = firstFailure(results);
    assert.equal(first?.id, 'file.secrets');
    assert.match(first?.evidence[0] ?? '', /secret "payments" keys "apiKey" → missing "apiKey" \(has "api_key"\)/);
    assert.match(first?.fix ?? '', /Secret "payments" has no key "apiKey" — did you mean "api_key"\? Fix the reference in payments\.auth\.value/);
    // The raw read still shows which keys the secret has.
    assert.equal(results.find((r) => r.id === 'file.rawRead')?.evidence[0], 'read "payments" from secrets.json → {"payments":{"api_key":"••••••••"}}');
    assertNoCanary(JSON.stringify(results), canaries, 'the check results');
  });

  it('covers every connection of the provider when troubleshooting the provider', async () => {
    const results = await doctor(model);
    const secretsCheck = results.find((r) => r.id === 'file.secrets');
    assert.equal(secretsCheck?.status, 'fail');
    assert.equal(secretsCheck?.evidence.length, 6, secretsCheck?.evidence.join('\n'));
  });

  it('gives reproduction commands that print names and types, never values', () => {
    return doctor(model).then((results) => {
      const bySecret = results.find((r) => r.id === 'file.secrets');
      const out = sh(bySecret?.reproduce ?? '');
      assert.match(out, /"payments": \[\s*"api_key"\s*\]/);
      const raw = sh(results.find((r) => r.id === 'file.rawRead')?.reproduce ?? '');
      assert.match(raw, /"username": "string"/);
      assert.match(sh(results[1].reproduce ?? ''), /"statuspage"/);
      for (const r of results) if (r.reproduce) assertNoCanary(sh(r.reproduce), canaries, `the output of ${r.reproduce}`);
    });
  });

  it('names the closest secret when a referenced secret is missing', async () => {
    const w = demoWorkspace(JSON.stringify({ ...secrets, jira: undefined, jirra: secrets.jira }));
    try {
      const results = await doctor(await loadWorkspace(w.root), { connection: 'jira' });
      assert.equal(firstFailure(results)?.id, 'file.secrets');
      assert.match(firstFailure(results)?.fix ?? '', /Secret "jira" \(used by jira\.auth\.username, jira\.auth\.password\) is not in secrets\.json — did you mean "jirra"\?/);
      assert.equal(results.find((r) => r.id === 'file.rawRead')?.status, 'skipped');
    } finally {
      w.cleanup();
    }
  });

  it('fails first on a missing file, naming "path", and skips the rest with the reason', async () => {
    const w = demoWorkspace(undefined);
    try {
      const results = await doctor(await loadWorkspace(w.root), { connection: 'jira' });
      assert.deepEqual(statuses(results), { 'file.exists': 'fail', 'file.json': 'skipped', 'file.gitIgnored': 'skipped', 'file.secrets': 'skipped', 'file.rawRead': 'skipped' });
      assert.match(results[0].fix ?? '', /Create .*secrets\.json with a JSON object of secrets, or fix "path" \(now "secrets\.json"\) in .*connections\.yaml/);
      assert.match(results[1].reason ?? '', /"Secrets file exists and is readable" did not pass/);
    } finally {
      w.cleanup();
    }
  });

  it('asks for "path" when the provider block has none', async () => {
    const w = tempWorkspace({ 'connections.yaml': 'secretsManager:\n  scope: workspace\n  provider:\n    type: file\nconnections: {}\n' });
    try {
      const [target] = troubleshootTargets(await loadWorkspace(w.root));
      const results = await runChecks(await troubleshootChecks(target, { credentials: noCredentials }));
      assert.equal(firstFailure(results)?.id, 'file.exists');
      assert.match(results[0].fix ?? '', /^Set "path" in the provider block of .*connections\.yaml to the JSON secrets file/);
      assert.equal(results.find((r) => r.id === 'file.secrets')?.status, 'skipped');
    } finally {
      w.cleanup();
    }
  });

  it('names the line and column of a JSON syntax error without quoting the file', async () => {
    const secret = canary('near-the-error');
    const w = demoWorkspace(`{\n  "jira": { "password": "${secret}", },\n  "x": 1\n}\n`);
    try {
      const results = await doctor(await loadWorkspace(w.root), { connection: 'jira' });
      assert.equal(firstFailure(results)?.id, 'file.json');
      // At the "}" after the trailing comma.
      const column = `  "jira": { "password": "${secret}", }`.lastIndexOf('}') + 1;
      assert.match(results[1].fix ?? '', new RegExp(`at line 2, column ${column}:`));
      assert.equal(results[3].status, 'skipped');
      assertNoCanary(JSON.stringify(results), [secret], 'the check results');
      // jq reports the same place, and quotes nothing either.
      assertNoCanary(sh(results[1].reproduce ?? ''), [secret], 'jq');
    } finally {
      w.cleanup();
    }
  });

  it('fails on a file that is JSON but not an object', async () => {
    const w = demoWorkspace('["a"]');
    try {
      const results = await doctor(await loadWorkspace(w.root), { connection: 'jira' });
      assert.equal(firstFailure(results)?.id, 'file.json');
      assert.match(results[1].evidence[0], /→ an array/);
    } finally {
      w.cleanup();
    }
  });

  it('warns, naming .gitignore, when the file would be committed (a real git repository)', async function () {
    const w = demoWorkspace(JSON.stringify(secrets));
    try {
      execFileSync('git', ['init', '-q'], { cwd: w.root });
      fs.writeFileSync(path.join(w.root, '.gitignore'), 'other.json\n');
      let results = await doctor(await loadWorkspace(w.root), { connection: 'jira' });
      const check = results.find((r) => r.id === 'file.gitIgnored');
      assert.equal(check?.status, 'warn');
      assert.equal(check?.fix, `Add "secrets.json" to ${path.join(w.root, '.gitignore')} so the secrets file is never committed.`);
      assert.equal(firstFailure(results), undefined, 'a warning is not a failure');
      assert.match(sh(check?.reproduce ?? ''), /^$/); // git check-ignore -v prints nothing for a file that is not ignored
      fs.writeFileSync(path.join(w.root, '.gitignore'), 'secrets.json\n');
      results = await doctor(await loadWorkspace(w.root), { connection: 'jira' });
      assert.deepEqual(results.find((r) => r.id === 'file.gitIgnored')?.evidence, ['git check-ignore secrets.json → ignored']);
      assert.match(sh(results.find((r) => r.id === 'file.gitIgnored')?.reproduce ?? ''), /\.gitignore:1:secrets\.json/);
    } finally {
      w.cleanup();
    }
  });

  it('finds JSON syntax errors exactly where JSON.parse does', () => {
    const valid = ['{}', '[]', '{"a":[1,-2.5e3,true,false,null,"\\u00e9\\n"]}', ' "x" ', '0', '{"a":{"b":{}}}'];
    const invalid: [string, number][] = [
      ['{"a":1,}', 7],
      ['{"a": x}', 6],
      ['{', 1],
      ['[1]x', 3],
      ["{'a':1}", 1],
      ['{"a":01}', 6],
      ['"\u0001"', 1],
      ['', 0],
      ['-', 0],
      ['{"a":"\\x"}', 6],
    ];
    for (const t of valid) assert.equal(jsonSyntaxErrorOffset(t), undefined, t);
    for (const [t, at] of invalid) {
      assert.throws(() => JSON.parse(t));
      assert.equal(jsonSyntaxErrorOffset(t), at, t);
    }
    assert.deepEqual(lineColumn('{\n  "a": x', 9), { line: 2, column: 8 });
    assert.equal(shellQuote("/tmp/it's here.json"), `'/tmp/it'\\''s here.json'`);
  });
});

describe('troubleshooting the env provider', () => {
  const secret = canary('env');
  const json = JSON.stringify({ user: 'u', password: canary('env-json') });
  const env = { APP_DB_PASS: secret, APP_DB: json, APP_TOKN: canary('near-miss'), PATH: process.env.PATH };
  let ws: ReturnType<typeof tempWorkspace>;
  let model: WorkspaceModel;

  before(async () => {
    ws = tempWorkspace({
      'connections.yaml': [
        'secretsManager:',
        '  scope: workspace',
        '  provider:',
        '    type: env',
        '    prefix: APP_',
        'connections:',
        '  db:',
        '    type: postgres',
        '    host: db.example.com',
        '    user: "{{workato:sm:user:DB}}"',
        '    password: "{{workato:sm:DB_PASS}}"',
        '  api:',
        '    type: http',
        '    url: https://api.example.com',
        '    auth:',
        '      type: bearer',
        '      token: "Bearer {{workato:sm:TOKEN}}"',
        '',
      ].join('\n'),
    });
    model = await loadWorkspace(ws.root);
  });
  after(() => ws.cleanup());

  it('passes when each referenced variable is set, and step 2 shows a length only', async () => {
    const results = await doctor(model, { connection: 'db' }, env);
    assert.deepEqual(statuses(results), { 'env.variables': 'pass', 'env.rawRead': 'pass' });
    assert.deepEqual(results[0].evidence, ['APP_DB keys "user" → present', 'APP_DB_PASS → set']);
    assert.equal(results[1].evidence[0], `process.env.APP_DB → set, ${json.length} characters`);
    assertNoCanary(JSON.stringify(results), [secret, json, env.APP_TOKN], 'the check results');
  });

  it('names the missing variable, the prefix and the closest variable that is set', async () => {
    const results = await doctor(model, { connection: 'api' }, env);
    assert.equal(firstFailure(results)?.id, 'env.variables');
    assert.deepEqual(results[0].evidence, ['APP_TOKEN → not set']);
    assert.match(results[0].fix ?? '', /^Set APP_TOKEN \(the provider's prefix is "APP_"; used by api\.auth\.token\) in the environment that starts VS Code or the CLI, then reload — did you mean "APP_TOKN"\?/);
    assert.equal(results[1].status, 'skipped');
    assertNoCanary(JSON.stringify(results), [env.APP_TOKN], 'the check results');
  });

  it('gives reproduction commands that say set / not set and count characters, never printing a value', async () => {
    const results = await doctor(model, {}, env);
    const shellEnv = { ...env } as NodeJS.ProcessEnv;
    const out = sh(results[0].reproduce ?? '', shellEnv);
    assert.equal(out, 'APP_DB: set\nAPP_DB_PASS: set\nAPP_TOKEN: not set\n');
    assert.equal(sh(results[1].reproduce ?? '', shellEnv).trim(), String(json.length));
    for (const r of results) if (r.reproduce) assertNoCanary(sh(r.reproduce, shellEnv), [secret, json], `the output of ${r.reproduce}`);
  });
});
