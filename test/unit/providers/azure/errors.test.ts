/**
 * Error parsing from RECORDED Microsoft responses (test/fixtures/azure/recordedErrors.ts), in the
 * two shapes the Azure SDK hands them over: a RestError with the parsed body in `details` (single
 * operations) and one with only the raw body text (pages, re-attached by the provider).
 */
import assert from 'node:assert/strict';
import { ConnectionSecretsError } from '../../../../src/core/errors';
import { readAadError, readCaller, readKeyVaultError, retryAfterMs, SECRETS_USER_ROLE, ThrottledError, toAzureError, type AzureErrorContext } from '../../../../src/providers/azure/errors';
import * as rec from '../../../fixtures/azure/recordedErrors';

const ctx: AzureErrorContext = {
  vaultUrl: 'https://contoso-kv.vault.azure.net',
  vaultName: 'contoso-kv',
  operation: 'reading secret "db-password"',
  secretName: 'db-password',
  tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
  clientId: '0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11',
};
const caller = { appId: ctx.clientId!, objectId: 'a6b0e8c2-3d1f-4e55-9a77-0b1c2d3e4f50', tenantId: ctx.tenantId! };

function headers(h: Record<string, string> = {}) {
  return { get: (name: string) => h[name.toLowerCase()] };
}

/** A RestError as a single operation throws it: body parsed into `details` with camel-cased innerError. */
function restErrorWithDetails(r: rec.RecordedResponse) {
  const body = JSON.parse(r.body) as { error: { code: string; message: string; innererror?: { code: string } } };
  return {
    name: 'RestError',
    code: body.error.code,
    statusCode: r.status,
    message: body.error.message,
    details: { error: { code: body.error.code, message: body.error.message, innerError: body.error.innererror ? { code: body.error.innererror.code } : undefined } },
    response: { status: r.status, headers: headers(r.headers) },
  };
}

/** A RestError with only the raw body text. */
function restErrorWithText(r: rec.RecordedResponse) {
  return { name: 'RestError', statusCode: r.status, message: `Pagination failed with unexpected statusCode ${r.status}`, response: { status: r.status, bodyAsText: r.body, headers: headers(r.headers) } };
}

/** What @azure/identity throws for a token endpoint refusal (message format observed with MSAL). */
function identityError(r: rec.RecordedResponse) {
  const body = JSON.parse(r.body) as { error: string; error_description: string; error_codes: number[]; timestamp: string; trace_id: string; correlation_id: string };
  return {
    name: 'AuthenticationRequiredError',
    message: `${body.error}: Error(s): ${body.error_codes.join(',')} - Timestamp: ${body.timestamp} - Description: ${body.error_description} - Correlation ID: ${body.correlation_id} - Trace ID: ${body.trace_id}`,
  };
}

const shapes = [
  ['details', restErrorWithDetails],
  ['raw text', restErrorWithText],
] as const;

describe('azure error parsing (recorded Microsoft bodies)', () => {
  for (const [label, shape] of shapes) {
    describe(`RestError with ${label}`, () => {
      it('ForbiddenByRbac → AccessDenied naming the role, its id and the assignment command', () => {
        const e = toAzureError(shape(rec.kvForbiddenByRbac(caller, 'contoso-kv', 'db-password')), ctx);
        assert.equal(e.code, 'AccessDenied');
        assert.match(e.message, /app 0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11 \(object id a6b0e8c2-3d1f-4e55-9a77-0b1c2d3e4f50\) has no Key Vault data role on vault contoso-kv/);
        assert.ok(e.fix?.includes(SECRETS_USER_ROLE.id));
        assert.ok(e.fix?.includes('az role assignment create --role "Key Vault Secrets User" --assignee 0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11 --scope $(az keyvault show --name contoso-kv --query id -o tsv)'));
        assert.equal(e.detail, 'HTTP 403 Forbidden/ForbiddenByRbac');
      });

      it('ForbiddenByPolicy and the legacy AccessDenied → add an access policy with Get and List', () => {
        for (const r of [rec.kvForbiddenByPolicy(caller, 'contoso-kv', 'get'), rec.kvAccessDeniedLegacy(caller, 'contoso-kv')]) {
          const e = toAzureError(shape(r), ctx);
          assert.equal(e.code, 'AccessDenied');
          assert.match(e.message, /access policies of vault contoso-kv do not give app .* the secrets "get" permission/);
          assert.match(e.fix ?? '', /az keyvault set-policy --name contoso-kv --spn 0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11 --secret-permissions get list/);
        }
      });

      it('ForbiddenByFirewall → the client address and the network-rule command', () => {
        const e = toAzureError(shape(rec.kvForbiddenByFirewall(caller, 'contoso-kv', '203.0.113.7')), ctx);
        assert.equal(e.code, 'AccessDenied');
        assert.match(e.message, /firewall of vault contoso-kv refused this machine's address 203\.0\.113\.7 \(Client address is not authorized\)/);
        assert.match(e.fix ?? '', /--ip-address 203\.0\.113\.7\/32/);
      });

      it('a firewall text without inner code is still recognised', () => {
        const r = rec.kvForbiddenByFirewall(caller, 'contoso-kv');
        const body = JSON.parse(r.body);
        delete body.error.innererror;
        const e = toAzureError(shape({ ...r, body: JSON.stringify(body) }), ctx);
        assert.match(e.message, /firewall/);
      });

      it('SecretDisabled → Disabled with the set-attributes command', () => {
        const e = toAzureError(shape(rec.kvSecretDisabled()), ctx);
        assert.equal(e.code, 'Disabled');
        assert.match(e.fix ?? '', /az keyvault secret set-attributes --vault-name contoso-kv --name db-password --enabled true/);
      });

      it('SecretNotFound → NotFound, or a missing pinned version', () => {
        assert.equal(toAzureError(shape(rec.kvSecretNotFound('db-password')), ctx).code, 'NotFound');
        const pinned = toAzureError(shape(rec.kvSecretNotFound('db-password', 'a'.repeat(32))), { ...ctx, version: 'a'.repeat(32) });
        assert.match(pinned.message, /Version a{32} of secret "db-password" does not exist/);
      });

      it('AKV10032 → the vault\'s tenant', () => {
        const e = toAzureError(shape(rec.kvInvalidIssuer('11111111-2222-3333-4444-555555555555', '99999999-2222-3333-4444-555555555555')), ctx);
        assert.equal(e.code, 'InvalidConfig');
        assert.match(e.fix ?? '', /tenantId: 11111111-2222-3333-4444-555555555555/);
      });

      it('429 → Throttled carrying Retry-After; 503 → retryable', () => {
        const t = toAzureError(shape(rec.kvThrottled(7)), ctx);
        assert.ok(t instanceof ThrottledError);
        assert.equal(t.retryAfterMs, 7000);
        assert.equal(t.retryable, true);
        const u = toAzureError(shape(rec.kvServiceUnavailable()), ctx);
        assert.ok(!(u instanceof ThrottledError), 'a 503 is not a throttling error');
        assert.equal(u.code, 'Unreachable');
        assert.equal(u.retryable, true);
      });
    });
  }

  it('AADSTS7000222 → CredentialsExpired saying when and where to create a new secret', () => {
    const e = toAzureError(identityError(rec.aadExpiredSecret(ctx.clientId!, '2026-03-02 21:18:01Z')), ctx);
    assert.equal(e.code, 'CredentialsExpired');
    assert.match(e.message, /has expired: Microsoft Entra ID refused it at 2026-03-02 21:18:01Z \(AADSTS7000222\)/);
    assert.match(e.fix ?? '', /App registrations → 0c9b1a6e-4f4e-4c43-9d6a-1f6c1e7b2a11 → Certificates & secrets → New client secret/);
    assert.equal(e.detail, 'AADSTS7000222');
  });

  it('AADSTS7000215 → invalid secret: value, not secret ID', () => {
    const e = toAzureError(identityError(rec.aadInvalidSecret(ctx.clientId!)), ctx);
    assert.equal(e.code, 'Unauthenticated');
    assert.match(e.fix ?? '', /Value .* not its Secret ID/);
  });

  it('AADSTS700016 and AADSTS90002 → configuration errors', () => {
    assert.equal(toAzureError(identityError(rec.aadUnknownApp(ctx.clientId!, ctx.tenantId!)), ctx).code, 'InvalidConfig');
    assert.equal(toAzureError(identityError(rec.aadUnknownTenant(ctx.tenantId!)), ctx).code, 'InvalidConfig');
  });

  it('any other AADSTS code → a sign-in error with the lookup link', () => {
    const e = toAzureError({ name: 'AuthenticationError', message: 'invalid_request: AADSTS50059: No tenant-identifying information found.' }, ctx);
    assert.equal(e.code, 'Unauthenticated');
    assert.match(e.fix ?? '', /error\?code=50059/);
  });

  it('tenant mismatch from the challenge, challenge resource mismatch, chain failure', () => {
    const tenant = toAzureError({ name: 'CredentialUnavailableError', message: 'The current credential is not configured to acquire tokens for tenant 11111111-1111-1111-1111-111111111111. To enable…' }, ctx);
    assert.equal(tenant.code, 'InvalidConfig');
    assert.match(tenant.message, /belongs to tenant 11111111-1111-1111-1111-111111111111/);
    const challenge = toAzureError(new Error("The challenge resource 'vault.azure.net' does not match the requested domain. Set disableChallengeResourceVerification to true in your client options to disable."), ctx);
    assert.equal(challenge.code, 'InvalidConfig');
    const chain = toAzureError({ name: 'CredentialUnavailableError', message: 'DefaultAzureCredential failed to retrieve a token from the included credentials.' }, { ...ctx, clientId: undefined });
    assert.equal(chain.code, 'Unauthenticated');
    assert.match(chain.fix ?? '', /az login/);
  });

  it('network failures: unknown host, TLS, resets', () => {
    const dns = toAzureError({ name: 'RestError', code: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND contoso-kv.vault.azure.net' }, ctx);
    assert.equal(dns.code, 'Unreachable');
    assert.match(dns.message, /vault host contoso-kv\.vault\.azure\.net does not exist/);
    const tls = toAzureError({ name: 'RestError', code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' }, ctx);
    assert.equal(tls.code, 'Tls');
    assert.match(tls.fix ?? '', /caCert/);
    const reset = toAzureError({ name: 'RestError', code: 'ECONNRESET', message: 'socket hang up' }, ctx);
    assert.equal(reset.code, 'Unreachable');
    assert.equal(reset.retryable, true);
  });

  it('leaves typed errors alone and wraps anything else without a stack trace in the message', () => {
    const typed = new ConnectionSecretsError('Timeout', 'x timed out');
    assert.equal(toAzureError(typed, ctx), typed);
    const other = toAzureError(new TypeError('boom\n    at somewhere'), ctx);
    assert.equal(other.code, 'Unknown');
    assert.ok(!other.message.includes('at somewhere'));
  });

  it('helpers read callers, AADSTS codes, bodies and Retry-After dates', () => {
    assert.deepEqual(readCaller("The user, group or application 'appid=abc;oid=def;iss=https://sts.windows.net/t/' does not"), { appId: 'abc', objectId: 'def' });
    assert.deepEqual(readAadError('AADSTS7000222: x\r\nTimestamp: 2023-03-02 21:18:01Z'), { code: 7000222, timestamp: '2023-03-02 21:18:01Z' });
    assert.equal(readAadError('nothing'), undefined);
    assert.equal(readKeyVaultError({ response: { bodyAsText: '<html>' } }), undefined);
    const future = new Date(Date.now() + 5_000).toUTCString();
    const ms = retryAfterMs({ response: { headers: headers({ 'retry-after': future }) } });
    assert.ok(ms !== undefined && ms > 0 && ms <= 5_000);
  });
});
