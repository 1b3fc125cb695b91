import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALERT_EVENT_ID_HEADER, ALERT_SIGNATURE_HEADER, verifyAlertSignature } from '../src/alert-signature';
import { alertEventSchema } from '@switchyard/events/alerts';
import { PROVIDER_CREDENTIALS_CHANGED_CHANNEL } from '@switchyard/events/tenants';
import { createMemoryTestDatabase, type MemoryTestDatabase } from '@switchyard/db/testing';
import { createSecretVault } from '@switchyard/db/secret-vault';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { AUDIT_STREAM, auditEventSchema, type AuditEvent } from '@switchyard/events/audit';
import { createTenantsService } from '../src/tenants-service';
import type { Tenant } from '../src/tenant-types';
import { PLATFORM_ADMIN, errorCodes, principalOf, startTenantsHarness, type TenantsHarness } from './harness';

const kms = createLocalKms({ masterKeys: { test: generateMasterKey() }, activeKeyId: 'test' });
let testDatabase: MemoryTestDatabase;
let harness: TenantsHarness;
let tenantA: Tenant;
let tenantB: Tenant;
const published: string[] = [];

const adminA = () => principalOf(['tenant_admin'], tenantA.id, 'secrets-admin-a');
const viewerA = () => principalOf(['viewer'], tenantA.id, 'secrets-viewer-a');
const operatorA = () => principalOf(['operator'], tenantA.id, 'secrets-operator-a');
const adminB = () => principalOf(['tenant_admin'], tenantB.id, 'secrets-admin-b');

const SET = 'mutation ($input: SetProviderCredentialInput!) { setProviderCredential(input: $input) { id provider last4 createdAt rotatedAt } }';
const DELETE = 'mutation ($input: DeleteProviderCredentialInput!) { deleteProviderCredential(input: $input) { provider deleted } }';
const LIST = 'query ($slug: String!) { tenant(slug: $slug) { providerCredentials { id provider last4 createdAt rotatedAt } alertWebhook { url secretLast4 } } }';
const WEBHOOK = 'mutation ($input: SetAlertWebhookInput!) { setAlertWebhook(input: $input) { generatedSecret webhook { url secretLast4 createdAt updatedAt } } }';

interface CredentialReply {
  id: string;
  provider: string;
  last4: string;
  rotatedAt: string | null;
}

async function auditEvents(bus = harness.bus): Promise<AuditEvent[]> {
  await bus.ensureGroup(AUDIT_STREAM, 'secrets-test');
  const entries = await bus.readGroup(AUDIT_STREAM, 'secrets-test', 'reader', { count: 1000, blockMs: 0 });
  return entries.map((entry) => auditEventSchema.parse(JSON.parse(entry.payload)));
}

beforeAll(async () => {
  testDatabase = await createMemoryTestDatabase();
  harness = await startTenantsHarness(testDatabase.db, { kms });
  await harness.bus.subscribe(PROVIDER_CREDENTIALS_CHANGED_CHANNEL, (message) => published.push(message));
  const service = createTenantsService({ db: testDatabase.db, bus: harness.bus });
  tenantA = await service.createTenant({ slug: 'secrets-a', name: 'Secrets A' }, PLATFORM_ADMIN);
  tenantB = await service.createTenant({ slug: 'secrets-b', name: 'Secrets B' }, PLATFORM_ADMIN);
});

afterAll(async () => {
  await harness?.close();
  await testDatabase?.drop();
});

describe('provider credentials through the tenants subgraph', () => {
  it('a tenant admin sets a credential idempotently; lists show last4 only; each change is audited and announced key-only', async () => {
    const secret = 'sk-tenant-a-openai-key-0001';
    const first = await harness.request(adminA(), SET, { input: { tenantId: tenantA.id, provider: 'openai', secret } });
    expect(first.body.errors).toBeUndefined();
    const created = first.body.data?.['setProviderCredential'] as CredentialReply;
    expect(created).toMatchObject({ provider: 'openai', last4: '0001', rotatedAt: null });

    const again = await harness.request(adminA(), SET, { input: { tenantId: tenantA.id, provider: 'openai', secret } });
    expect(again.body.data?.['setProviderCredential']).toEqual(created);
    const rotated = await harness.request(adminA(), SET, { input: { tenantId: tenantA.id, provider: 'openai', secret: 'sk-tenant-a-openai-key-0002' } });
    expect(rotated.body.data?.['setProviderCredential']).toMatchObject({ id: created.id, last4: '0002', rotatedAt: expect.any(String) });

    const listed = await harness.request(viewerA(), LIST, { slug: 'secrets-a' });
    expect(listed.body.errors).toBeUndefined();
    expect(JSON.stringify(listed.body)).not.toContain('sk-tenant-a');
    expect((listed.body.data?.['tenant'] as { providerCredentials: CredentialReply[] }).providerCredentials).toEqual([
      expect.objectContaining({ provider: 'openai', last4: '0002' }),
    ]);

    const events = (await auditEvents()).filter((event) => event.action.startsWith('provider_credential.'));
    expect(events.map((event) => [event.action, event.payload])).toEqual([
      ['provider_credential.set', { provider: 'openai', outcome: 'created' }],
      ['provider_credential.set', { provider: 'openai', outcome: 'rotated' }],
    ]);
    expect(JSON.stringify(events)).not.toContain('sk-tenant-a');
    expect(published).toEqual([JSON.stringify({ tenantId: tenantA.id }), JSON.stringify({ tenantId: tenantA.id })]);

    const stored = await createSecretVault({ db: testDatabase.db, kms }).revealProviderCredentials(tenantA.id);
    expect(stored.get('openai')).toBe('sk-tenant-a-openai-key-0002');
  });

  it('the schema has no field that returns a secret', async () => {
    const reply = await harness.request(adminA(), 'query { tenant(slug: "secrets-a") { providerCredentials { secret } } }');
    expect(errorCodes(reply)).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });

  it('viewers and operators may read metadata but not set or delete', async () => {
    for (const principal of [viewerA(), operatorA()]) {
      expect(errorCodes(await harness.request(principal, SET, { input: { tenantId: tenantA.id, provider: 'openai', secret: 'sk-viewer-overwrite-0000' } }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await harness.request(principal, DELETE, { input: { tenantId: tenantA.id, provider: 'openai' } }))).toEqual(['FORBIDDEN']);
      expect(errorCodes(await harness.request(principal, WEBHOOK, { input: { tenantId: tenantA.id, url: 'https://hooks.example.test/x' } }))).toEqual(['FORBIDDEN']);
    }
    const stored = await createSecretVault({ db: testDatabase.db, kms }).revealProviderCredentials(tenantA.id);
    expect(stored.get('openai')).toBe('sk-tenant-a-openai-key-0002');
  });

  it("tenant B can neither read nor touch tenant A's credentials", async () => {
    expect(errorCodes(await harness.request(adminB(), SET, { input: { tenantId: tenantA.id, provider: 'openai', secret: 'sk-tenant-b-hijack-0000' } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(adminB(), DELETE, { input: { tenantId: tenantA.id, provider: 'openai' } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(adminB(), WEBHOOK, { input: { tenantId: tenantA.id, url: 'https://evil.example.test/' } }))).toEqual(['FORBIDDEN']);
    const viaEntities = await harness.request(
      adminB(),
      'query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Tenant { id providerCredentials { last4 } alertWebhook { url } } } }',
      { reps: [{ __typename: 'Tenant', id: tenantA.id }] },
    );
    expect(viaEntities.body.data?.['_entities']).toEqual([null]);
    const read = await harness.request(adminB(), LIST, { slug: 'secrets-a' });
    expect(read.body.data?.['tenant'] ?? null).toBeNull();
    expect(JSON.stringify(read.body)).not.toContain('0002');
    // B's own credential lives beside A's without either seeing the other.
    await harness.request(adminB(), SET, { input: { tenantId: tenantB.id, provider: 'openai', secret: 'sk-tenant-b-openai-key-0003' } });
    const own = await harness.request(adminB(), LIST, { slug: 'secrets-b' });
    expect((own.body.data?.['tenant'] as { providerCredentials: CredentialReply[] }).providerCredentials.map((c) => c.last4)).toEqual(['0003']);
    const stored = await createSecretVault({ db: testDatabase.db, kms }).revealProviderCredentials(tenantA.id);
    expect(stored.get('openai')).toBe('sk-tenant-a-openai-key-0002');
  });

  it('refuses malformed and oversized input with BAD_USER_INPUT and writes nothing', async () => {
    const bad = [
      { tenantId: tenantA.id, provider: 'OpenAI!', secret: 'sk-valid-secret-0000' },
      { tenantId: tenantA.id, provider: 'openai', secret: 'has spaces in it' },
      { tenantId: tenantA.id, provider: 'openai', secret: 'short' },
      { tenantId: tenantA.id, provider: 'openai', secret: 'x'.repeat(5000) },
      { tenantId: tenantA.id, provider: 'p'.repeat(65), secret: 'sk-valid-secret-0000' },
      { tenantId: 'not-a-uuid', provider: 'openai', secret: 'sk-valid-secret-0000' },
    ];
    for (const input of bad) expect(errorCodes(await harness.request(PLATFORM_ADMIN, SET, { input }))).toEqual(['BAD_USER_INPUT']);
    for (const url of ['http://hooks.example.test/', 'https://user:pass@hooks.example.test/', 'not a url', `https://h.example.test/${'a'.repeat(2100)}`]) {
      expect(errorCodes(await harness.request(adminA(), WEBHOOK, { input: { tenantId: tenantA.id, url } }))).toEqual(['BAD_USER_INPUT']);
    }
    expect(errorCodes(await harness.request(adminA(), WEBHOOK, { input: { tenantId: tenantA.id, url: 'https://hooks.example.test/', secret: 'too-short' } }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await harness.request(PLATFORM_ADMIN, SET, { input: { tenantId: '00000000-0000-4000-8000-000000000000', provider: 'openai', secret: 'sk-valid-secret-0000' } }))).toEqual(['NOT_FOUND']);
    const list = await createSecretVault({ db: testDatabase.db, kms }).listProviderCredentials(tenantA.id);
    expect(list.map((c) => c.provider)).toEqual(['openai']);
  });

  it('deletes idempotently and announces only a real deletion', async () => {
    await harness.request(adminA(), SET, { input: { tenantId: tenantA.id, provider: 'anthropic', secret: 'sk-ant-tenant-a-0004' } });
    const before = published.length;
    expect((await harness.request(adminA(), DELETE, { input: { tenantId: tenantA.id, provider: 'anthropic' } })).body.data?.['deleteProviderCredential']).toEqual({ provider: 'anthropic', deleted: true });
    expect((await harness.request(adminA(), DELETE, { input: { tenantId: tenantA.id, provider: 'anthropic' } })).body.data?.['deleteProviderCredential']).toEqual({ provider: 'anthropic', deleted: false });
    expect(published.length).toBe(before + 1);
    expect((await auditEvents()).filter((event) => event.action === 'provider_credential.delete').map((event) => event.payload)).toEqual([{ provider: 'anthropic' }]);
  });

  it('sets an alert webhook, generating the signing secret once when none is sent', async () => {
    const reply = await harness.request(adminA(), WEBHOOK, { input: { tenantId: tenantA.id, url: 'https://hooks.example.test/alerts?team=a' } });
    expect(reply.body.errors).toBeUndefined();
    const payload = reply.body.data?.['setAlertWebhook'] as { generatedSecret: string; webhook: { url: string; secretLast4: string } };
    expect(payload.generatedSecret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(payload.webhook).toMatchObject({ url: 'https://hooks.example.test/alerts?team=a', secretLast4: payload.generatedSecret.slice(-4) });
    const listed = await harness.request(viewerA(), LIST, { slug: 'secrets-a' });
    expect(JSON.stringify(listed.body)).not.toContain(payload.generatedSecret);
    expect(await createSecretVault({ db: testDatabase.db, kms }).revealAlertWebhook(tenantA.id)).toEqual({ url: 'https://hooks.example.test/alerts?team=a', secret: payload.generatedSecret });

    const chosen = await harness.request(adminA(), WEBHOOK, { input: { tenantId: tenantA.id, url: 'http://127.0.0.1:9999/hook', secret: 'my-own-signing-secret-1234' } });
    expect(chosen.body.data?.['setAlertWebhook']).toMatchObject({ generatedSecret: null, webhook: { url: 'http://127.0.0.1:9999/hook', secretLast4: '1234' } });
    const events = (await auditEvents()).filter((event) => event.action === 'alert_webhook.set');
    expect(events.map((event) => event.payload)).toEqual([
      { origin: 'https://hooks.example.test', secretGenerated: true, outcome: 'created' },
      { origin: 'http://127.0.0.1:9999', secretGenerated: false, outcome: 'rotated' },
    ]);
    expect(JSON.stringify(events)).not.toContain(payload.generatedSecret);
  });
});

describe('test alerts', () => {
  const TEST_ALERT = 'mutation ($tenantId: ID!) { sendTestAlert(tenantId: $tenantId) { alertId delivered outcome } }';

  it('a tenant admin sends a signed webhook.test alert and sees how the webhook answered; audited', async () => {
    const received: Array<{ signature: string; eventId: string; body: string }> = [];
    let status = 204;
    const receiver = createServer((request, response) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        received.push({ signature: String(request.headers[ALERT_SIGNATURE_HEADER]), eventId: String(request.headers[ALERT_EVENT_ID_HEADER]), body });
        response.statusCode = status;
        response.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`;
      const secret = 'test-alert-signing-secret';
      expect((await harness.request(adminA(), WEBHOOK, { input: { tenantId: tenantA.id, url, secret } })).body.errors).toBeUndefined();

      const sent = await harness.request(adminA(), TEST_ALERT, { tenantId: tenantA.id });
      expect(sent.body.errors).toBeUndefined();
      const result = sent.body.data?.['sendTestAlert'] as { alertId: string; delivered: boolean; outcome: string };
      expect(result).toEqual({ alertId: expect.stringMatching(/^webhook-test:/), delivered: true, outcome: 'HTTP 204' });
      expect(received).toHaveLength(1);
      expect(received[0]!.eventId).toBe(result.alertId);
      expect(verifyAlertSignature(secret, received[0]!.body, received[0]!.signature, Math.floor(Date.now() / 1000))).toBe(true);
      expect(alertEventSchema.parse(JSON.parse(received[0]!.body))).toMatchObject({ type: 'webhook.test', tenantId: tenantA.id, data: { requestedBy: 'user:secrets-admin-a' } });

      status = 500;
      expect((await harness.request(adminA(), TEST_ALERT, { tenantId: tenantA.id })).body.data?.['sendTestAlert']).toMatchObject({ delivered: false, outcome: 'HTTP 500' });
      const audited = (await auditEvents()).filter((event) => event.action === 'alert_webhook.test').map((event) => event.payload);
      expect(audited).toEqual([
        { origin: new URL(url).origin, delivered: true, outcome: 'HTTP 204' },
        { origin: new URL(url).origin, delivered: false, outcome: 'HTTP 500' },
      ]);
    } finally {
      receiver.close();
    }
  });

  it('says why when nothing answers; refuses viewers, other tenants and tenants without a webhook', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await harness.request(adminA(), WEBHOOK, { input: { tenantId: tenantA.id, url: `http://127.0.0.1:${port}/gone`, secret: 'test-alert-signing-secret' } });
    // Unreachable, but not why: an errno (ECONNREFUSED vs a timeout) would map ports and hosts.
    const unreachable = await harness.request(adminA(), TEST_ALERT, { tenantId: tenantA.id });
    expect(unreachable.body.data?.['sendTestAlert']).toMatchObject({ delivered: false, outcome: 'the webhook could not be reached' });
    expect(JSON.stringify(unreachable.body)).not.toMatch(/ECONN|127\.0\.0\.1|connect/);

    expect(errorCodes(await harness.request(viewerA(), TEST_ALERT, { tenantId: tenantA.id }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(operatorA(), TEST_ALERT, { tenantId: tenantA.id }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(adminB(), TEST_ALERT, { tenantId: tenantA.id }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(adminB(), TEST_ALERT, { tenantId: tenantB.id }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await harness.request(adminA(), TEST_ALERT, { tenantId: 'not-a-uuid' }))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('without master keys', () => {
  it('answers NOT_CONFIGURED instead of storing secrets unencrypted', async () => {
    const database = await createMemoryTestDatabase();
    const bare = await startTenantsHarness(database.db, { kms: null });
    try {
      const tenant = await createTenantsService({ db: database.db, bus: bare.bus }).createTenant({ slug: 'no-kms', name: 'No KMS' }, PLATFORM_ADMIN);
      const reply = await bare.request(PLATFORM_ADMIN, SET, { input: { tenantId: tenant.id, provider: 'openai', secret: 'sk-nowhere-to-go-0000' } });
      expect(errorCodes(reply)).toEqual(['NOT_CONFIGURED']);
      const listed = await bare.request(PLATFORM_ADMIN, LIST, { slug: 'no-kms' });
      expect(listed.body.data?.['tenant']).toEqual({ providerCredentials: [], alertWebhook: null });
    } finally {
      await bare.close();
      await database.drop();
    }
  });
});

describe('alert webhook address policy through the API (no operator allowlist)', () => {
  const TEST_ALERT = 'mutation ($tenantId: ID!) { sendTestAlert(tenantId: $tenantId) { alertId delivered outcome } }';
  let strict: TenantsHarness;
  let tenant: Tenant;
  const admin = () => principalOf(['tenant_admin'], tenant.id, 'strict-admin');

  beforeAll(async () => {
    strict = await startTenantsHarness(testDatabase.db, { kms, webhookAllowedNetworks: [] });
    tenant = await createTenantsService({ db: testDatabase.db, bus: strict.bus }).createTenant({ slug: 'strict-hooks', name: 'Strict hooks' }, PLATFORM_ADMIN);
  });
  afterAll(async () => {
    await strict?.close();
  });

  it.each([
    'http://127.0.0.1:9999/hook',
    'http://127.1:9999/hook',
    'http://2130706433:9999/hook',
    'http://0x7f000001:9999/hook',
    'http://[::1]:9999/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://169.254.169.254/latest/meta-data/',
    'https://0xa9fea9fe/latest/meta-data/',
    'https://[fd00:ec2::254]/',
    'https://10.0.0.8/hook',
    'https://192.168.1.1/hook',
    'https://100.64.0.1/hook',
    'https://[fe80::1]/hook',
    'https://0.0.0.0/hook',
  ])('refuses to save %s with WEBHOOK_ADDRESS_REFUSED and stores nothing', async (url) => {
    const reply = await strict.request(admin(), WEBHOOK, { input: { tenantId: tenant.id, url, secret: 'strict-signing-secret-0001' } });
    expect(errorCodes(reply)).toEqual(['WEBHOOK_ADDRESS_REFUSED']);
    expect(reply.body.errors?.[0]?.extensions?.field).toBe('input.url');
    expect(reply.body.errors?.[0]?.message).toMatch(/not public/);
    expect(await createSecretVault({ db: testDatabase.db, kms }).revealAlertWebhook(tenant.id)).toBeNull();
  });

  it('refuses a test alert to a name that resolves to loopback, before connecting, and audits the refusal', async () => {
    let connections = 0;
    const receiver = createServer((_request, response) => response.end());
    receiver.on('connection', () => (connections += 1));
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      // A host name is saved (it is judged when it is resolved, on every connection).
      const url = `http://localhost:${(receiver.address() as AddressInfo).port}/hook`;
      expect((await strict.request(admin(), WEBHOOK, { input: { tenantId: tenant.id, url, secret: 'strict-signing-secret-0001' } })).body.errors).toBeUndefined();
      const reply = await strict.request(admin(), TEST_ALERT, { tenantId: tenant.id });
      expect(errorCodes(reply)).toEqual(['WEBHOOK_ADDRESS_REFUSED']);
      expect(JSON.stringify(reply.body)).not.toMatch(/127\.0\.0\.1|::1|ECONN/);
      expect(connections).toBe(0);
      const audited = (await auditEvents(strict.bus)).filter((event) => event.action === 'alert_webhook.test' && event.tenantId === tenant.id).map((event) => event.payload);
      expect(audited).toEqual([{ origin: new URL(url).origin, delivered: false, outcome: 'refused by policy: the address is not public' }]);
    } finally {
      receiver.close();
    }
  });
});
