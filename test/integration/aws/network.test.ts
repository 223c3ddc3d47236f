/**
 * Network failures with real sockets: a refused port, a server that accepts and never answers
 * (timeout), a region whose endpoint does not resolve, and throttling / 5xx answers.
 *
 * moto never throttles, so a small proxy in front of it answers the first requests with the
 * error bodies real AWS sends (ThrottlingException, InternalServiceError), then forwards to moto:
 * a fault injector, because nothing real emulates AWS throttling.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { ConnectionSecretsError } from '../../../src/core/errors';
import { createAwsProvider, CredentialCache } from '../../../src/providers/aws';
import { freePort } from '../../support/peer';
import { ADMIN_KEYS, awsBlock, countingClients, keysContext, seedSecrets, startMoto, type Moto } from '../../support/moto';

type Canned = { status: number; body: string };

/** Forwards to `target`, except that queued answers are served first. */
async function faultProxy(target: string) {
  const queue: Canned[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const canned = queue.shift();
      if (canned) {
        res.writeHead(canned.status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'fault-proxy' });
        res.end(canned.body);
        return;
      }
      const url = new URL(req.url ?? '/', target);
      const up = http.request(url, { method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      up.on('error', () => res.destroy());
      up.end(Buffer.concat(chunks));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    queue,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function failure(p: Promise<unknown>): Promise<ConnectionSecretsError> {
  const e = await p.then(
    () => assert.fail('expected a failure'),
    (x: unknown) => x,
  );
  assert.ok(e instanceof ConnectionSecretsError, String(e));
  return e;
}

describe('aws provider: network failures', function () {
  let moto: Moto;
  let proxy: Awaited<ReturnType<typeof faultProxy>>;
  let silent: net.Server;
  let silentPort: number;
  const sockets = new Set<net.Socket>();

  before(async function () {
    moto = await startMoto(this);
    await seedSecrets(moto, 'net/', 2, (i) => ({ k: `v${i}` }));
    proxy = await faultProxy(moto.endpoint);
    silentPort = await freePort();
    silent = net.createServer((s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => silent.listen(silentPort, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => silent?.close(() => resolve()));
    await proxy?.close();
    await moto?.stop();
  });

  const fast = { retries: 3, baseDelayMs: 5, maxDelayMs: 20 };

  it('a refused port is Unreachable and names the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const p = createAwsProvider(awsBlock({ region: 'us-east-1', endpoint }), keysContext(ADMIN_KEYS), { credentialCache: new CredentialCache() });
    const e = await failure(p.getValue('net/000'));
    assert.equal(e.code, 'Unreachable');
    assert.ok(e.message.includes(endpoint));
    assert.match(e.fix!, /endpoint/);
    p.dispose();
  });

  it('a server that never answers times out after the context timeout, without retrying', async () => {
    const counter = countingClients();
    const p = createAwsProvider(awsBlock({ region: 'us-east-1', endpoint: `http://127.0.0.1:${silentPort}` }), keysContext(ADMIN_KEYS, { timeoutMs: 1_000 }), {
      clients: counter.factory,
      credentialCache: new CredentialCache(),
      retry: fast,
    });
    const e = await failure(p.getValue('net/000'));
    assert.equal(e.code, 'Timeout');
    assert.match(e.message, /GetSecretValue.*timed out after 1 s/);
    assert.equal(counter.count('GetSecretValue'), 1);
    const batch = await p.getValues(['net/000', 'net/001']);
    for (const v of batch.values()) assert.equal((v as ConnectionSecretsError).code, 'Timeout', 'each id gets the timeout');
    p.dispose();
  });

  it('a region whose endpoint does not resolve is reported as an unknown region', async () => {
    const p = createAwsProvider(awsBlock({ region: 'xx-nowhere-9' }), keysContext(ADMIN_KEYS), { credentialCache: new CredentialCache() });
    const e = await failure(p.list());
    assert.equal(e.code, 'InvalidConfig');
    assert.match(e.message, /Unknown AWS region "xx-nowhere-9"/);
    assert.match(e.fix!, /region/);
    p.dispose();
  });

  it('retries throttling with backoff and succeeds when AWS recovers', async () => {
    const counter = countingClients();
    const p = createAwsProvider(awsBlock({ region: moto.region, endpoint: proxy.url }), keysContext(ADMIN_KEYS), { clients: counter.factory, credentialCache: new CredentialCache(), retry: fast });
    proxy.queue.push({ status: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' }, { status: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' });
    const v = await p.getValue('net/001');
    assert.equal(JSON.parse(v.value).k, 'v1');
    assert.equal(counter.count('GetSecretValue'), 3, 'two throttled attempts, then the answer');
    p.dispose();
  });

  it('gives up after a bounded number of throttled attempts with a Throttled error', async () => {
    const counter = countingClients();
    const p = createAwsProvider(awsBlock({ region: moto.region, endpoint: proxy.url }), keysContext(ADMIN_KEYS), { clients: counter.factory, credentialCache: new CredentialCache(), retry: fast });
    for (let i = 0; i < 10; i++) proxy.queue.push({ status: 400, body: '{"__type":"ThrottlingException","message":"Rate exceeded"}' });
    const e = await failure(p.list());
    assert.equal(e.code, 'Throttled');
    assert.equal(e.retryable, true);
    assert.match(e.message, /throttled ListSecrets/);
    assert.equal(counter.count('ListSecrets'), 4, 'first attempt + 3 retries');
    proxy.queue.length = 0;
    p.dispose();
  });

  it('retries a 5xx answer', async () => {
    const counter = countingClients();
    const p = createAwsProvider(awsBlock({ region: moto.region, endpoint: proxy.url }), keysContext(ADMIN_KEYS), { clients: counter.factory, credentialCache: new CredentialCache(), retry: fast });
    proxy.queue.push({ status: 500, body: '{"__type":"InternalServiceError","message":"An error occurred on the server side."}' });
    const values = await p.getValues(['net/000', 'net/001']);
    assert.ok([...values.values()].every((v) => !(v instanceof Error)));
    assert.equal(counter.count('BatchGetSecretValue'), 2);
    p.dispose();
  });
});
