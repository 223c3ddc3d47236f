import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { connectionsJsonSchema, connectionsJsonSchemaText } from '../../../src/core/jsonSchema';

const repo = path.resolve(__dirname, '../../..');

describe('JSON schema of connections.yaml', () => {
  it('the shipped schemas/connections.schema.json is exactly what schema.ts generates (run `npm run schema` after editing schema.ts)', () => {
    assert.equal(fs.readFileSync(path.join(repo, 'schemas/connections.schema.json'), 'utf8'), connectionsJsonSchemaText());
  });

  // The YAML extension reads fileMatch as one string (a file name matches in any folder, as for jsonValidation).
  it('is contributed for yamlValidation and shipped in the .vsix', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8'));
    assert.deepEqual(manifest.contributes.yamlValidation, [{ fileMatch: 'connections.yaml', url: './schemas/connections.schema.json' }]);
    assert.match(fs.readFileSync(path.join(repo, '.vscodeignore'), 'utf8'), /^!schemas\/connections\.schema\.json$/m);
  });

  // ajv is what the YAML language server validates with (a declared dev dependency).
  it('accepts the demo and the README example, rejects unknown fields, types and values', async function () {
    type AjvClass = new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown[] } };
    const Ajv = (await import('ajv')).default as unknown as AjvClass;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(connectionsJsonSchema());
    for (const f of ['examples/demo/connections.yaml', 'examples/demo/projects/analytics/connections.yaml', 'examples/demo/projects/devops/connections.yaml']) {
      assert.ok(validate(parse(fs.readFileSync(path.join(repo, f), 'utf8'))), `${f}: ${JSON.stringify(validate.errors)}`);
    }
    const ok = parse(`secretsManager:
  provider:
    type: vault
    address: https://v:8200
    auth: { method: approle, roleName: r, roleId: x }
connections:
  jira: { type: http, url: u, method: "{{workato:sm:m:kv:x}}", auth: { type: basic, username: a, password: b } }
  custom: { type: kafka, brokers: b }
`);
    assert.ok(validate(ok), JSON.stringify(validate.errors));
    const bad = [
      'secretsManager: { provider: { type: aws, secretAccessKey: x } }',
      'secretsManager: { provider: { type: awz } }',
      'secretsManager: { provider: { type: vault, address: a, auth: { method: password } } }',
      'connections: { db: { type: postgres, host: h, user: u, pasword: p } }',
      'connections: { api: { type: http, url: u, auth: { type: digest } } }',
      'secretsManager: { scope: global }',
      'conections: {}',
    ];
    for (const text of bad) assert.equal(validate(parse(text)), false, `accepted: ${text}`);
  });
});
