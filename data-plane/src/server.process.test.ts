import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '@switchyard/db';
import { createSecretVault } from '@switchyard/db/secret-vault';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { generateApiKeySecret } from '@switchyard/identity';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { bundleService } from '@switchyard/service-bundle';
import { PLATFORM_UPSTREAM_KEY, startRecordingUpstream, type RecordingUpstream } from './test-support/recording-upstream';

/**
 * The standalone data plane as an operator starts it (`npm start -w @switchyard/data-plane`: the
 * esbuild bundle of src/index.ts under plain node), as its own OS process, against Postgres and
 * Redis: what the admin plane stored for a tenant (an active policy, a route, a provider
 * credential) is in effect there, as under `npm start`.
 */
const DATA_PLANE_ROOT = fileURLToPath(new URL('../', import.meta.url));
const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TENANT_UPSTREAM_KEY = `sk-tenant-${randomUUID()}`;
const NO_LARGE_POLICY = `@id("allow-all") permit (principal, action, resource);
@id("no-large") forbid (principal, action == Action::"use_model", resource is Model) when { resource.id == "mock-large" };`;

let database: TestDatabase;
let upstream: RecordingUpstream;
let bundleDir: string;
let dataDir: string;
let child: ChildProcess | undefined;
let output = '';
let baseUrl: string;
let apiKey: string;
const redisKeyPrefix = `sy-test-process-${randomUUID()}:`;

async function startDataPlaneProcess(bundle: string, env: Record<string, string>): Promise<string> {
  // Nothing inherited but PATH: the child's configuration is exactly what this test passes.
  child = spawn(process.execPath, ['--enable-source-maps', bundle], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the data plane did not start:\n${output}`)), 60_000);
    const onData = () => {
      // index.ts prints `data plane: <url>/v1 …` once it listens (on the port the OS picked).
      const match = /data plane: (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve(match[1]);
    };
    child?.stdout?.on('data', onData);
    child?.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the data plane exited with ${code}:\n${output}`));
    });
  });
}

beforeAll(async () => {
  // The bundle sits beside the package, so its external npm packages resolve from node_modules as dist/'s do.
  bundleDir = await mkdtemp(path.join(DATA_PLANE_ROOT, '.bundle-test-'));
  const bundle = path.join(bundleDir, 'data-plane.mjs');
  dataDir = await mkdtemp(path.join(tmpdir(), 'sy-data-plane-process-'));
  const [, testDatabase, recording] = await Promise.all([bundleService(path.join(DATA_PLANE_ROOT, 'src/index.ts'), bundle), createTestDatabase(), startRecordingUpstream()]);
  database = testDatabase;
  upstream = recording;
  const { db } = database;

  // What the admin plane stores for a tenant, written as its subgraphs write it.
  const { demoTenantId: tenantId } = await seed(db);
  const key = generateApiKeySecret();
  apiKey = key.secret;
  const masterKey = generateMasterKey();
  await db.withTenant(tenantId, async (tx) => {
    await tx.apiKey.create({ data: { tenantId, name: 'process-test', prefix: key.prefix, hash: key.hash, scopes: ['inference'] } });
    // policy subgraph: an approved version becomes the tenant's active policy.
    await tx.policyVersion.create({ data: { tenantId, version: 1, text: NO_LARGE_POLICY, status: 'active', proposedBy: 'admin-1', approvedBy: 'admin-2', activatedAt: new Date() } });
    // experiments subgraph: a tenant route, stored as its definition without the name.
    await tx.route.create({ data: { tenantId, name: 'tenant-route', definition: { candidates: [{ model: 'up-model' }], strategy: { kind: 'priority' } }, createdBy: 'admin-1', updatedBy: 'admin-1' } });
  });
  // tenants subgraph: the tenant's own key for provider `upstream`, sealed under the master key.
  await createSecretVault({ db, kms: createLocalKms({ masterKeys: { main: masterKey }, activeKeyId: 'main' }) }).setProviderCredential(tenantId, 'upstream', TENANT_UPSTREAM_KEY);

  baseUrl = await startDataPlaneProcess(bundle, {
    DATABASE_URL: database.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: redisKeyPrefix,
    SWITCHYARD_DATA_DIR: dataDir,
    SWITCHYARD_MASTER_KEYS: `main:${masterKey}`,
    DATA_PLANE_PORT: '0',
    DATA_PLANE_HOST: '127.0.0.1',
    METRICS_PORT: '0',
    DATA_PLANE_PROVIDERS: JSON.stringify([
      { name: 'mock', kind: 'mock', models: ['mock-gpt', 'mock-large', 'mock-mini'] },
      { name: 'upstream', kind: 'openai-compatible', baseUrl: upstream.baseUrl, apiKey: PLATFORM_UPSTREAM_KEY, models: ['up-model'] },
    ]),
    LOG_LEVEL: 'warn',
  });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  if (upstream) await new Promise((resolve) => upstream.server.close(resolve));
  await database?.drop();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${redisKeyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}, 60_000);

const chat = (model: string) =>
  fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('the standalone data plane as its own process (production bundle, Postgres, Redis)', () => {
  it("enforces the tenant's active policy: 403 policy_denied for what it forbids, 200 for the rest", async () => {
    const denied = await chat('mock-large');
    expect(denied.status).toBe(403);
    const body = (await denied.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('policy_denied');
    expect(body.error.message).toContain('no-large');
    expect((await chat('mock-gpt')).status).toBe(200);
  });

  it("serves the tenant's route as `model` and lists it in GET /v1/models", async () => {
    const models = await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${apiKey}` } });
    expect(models.status).toBe(200);
    const ids = ((await models.json()) as { data: Array<{ id: string }> }).data.map((model) => model.id);
    expect(ids).toContain('tenant-route');
    const response = await chat('tenant-route');
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe('hello');
  });

  it("sends the tenant's own provider credential upstream instead of the provider's configured key", async () => {
    const before = upstream.seen.length;
    expect((await chat('up-model')).status).toBe(200);
    const calls = upstream.seen.slice(before);
    expect(calls.length).toBeGreaterThan(0);
    for (const headers of calls) {
      expect(headers.authorization).toBe(`Bearer ${TENANT_UPSTREAM_KEY}`);
      expect(headers.authorization).not.toContain(PLATFORM_UPSTREAM_KEY);
    }
  });
});
