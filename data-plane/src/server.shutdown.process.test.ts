import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { USAGE_STREAM } from '@switchyard/events/usage';
import { generateApiKeySecret } from '@switchyard/identity';
import { generateMasterKey } from '@switchyard/identity/envelope';
import { bundleService } from '@switchyard/service-bundle';

/**
 * SIGTERM to the standalone data plane (the production bundle under plain node, against Postgres
 * and Redis) with a long stream in flight and a keep-alive connection open: readiness goes 503 at
 * once, the keep-alive connection's next answer says `Connection: close`, the stream finishes, the
 * process exits 0 within its bound, and the usage events of what it served are in the stream.
 */
const DATA_PLANE_ROOT = fileURLToPath(new URL('../', import.meta.url));
const REDIS_URL = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const GRACE_MS = 1_500;
const TIMEOUT_MS = 15_000;

let database: TestDatabase;
let bundleDir: string;
let dataDir: string;
let child: ChildProcess | undefined;
let output = '';
let baseUrl: string;
let apiKey: string;
const redisKeyPrefix = `sy-test-shutdown-${randomUUID()}:`;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function send(agent: http.Agent, method: string, urlPath: string, body?: unknown, onFirstChunk?: () => void): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      `${baseUrl}${urlPath}`,
      { method, agent, headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (text.length === 0) onFirstChunk?.();
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

beforeAll(async () => {
  bundleDir = await mkdtemp(path.join(DATA_PLANE_ROOT, '.bundle-test-'));
  const bundle = path.join(bundleDir, 'data-plane.mjs');
  dataDir = await mkdtemp(path.join(tmpdir(), 'sy-data-plane-shutdown-'));
  const [, testDatabase] = await Promise.all([bundleService(path.join(DATA_PLANE_ROOT, 'src/index.ts'), bundle), createTestDatabase()]);
  database = testDatabase;
  const { demoTenantId: tenantId } = await seed(database.db);
  const key = generateApiKeySecret();
  apiKey = key.secret;
  await database.db.withTenant(tenantId, (tx) => tx.apiKey.create({ data: { tenantId, name: 'shutdown-test', prefix: key.prefix, hash: key.hash, scopes: ['inference'] } }));

  child = spawn(process.execPath, ['--enable-source-maps', bundle], {
    env: {
      PATH: process.env.PATH ?? '',
      DATABASE_URL: database.url,
      REDIS_URL,
      REDIS_KEY_PREFIX: redisKeyPrefix,
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_MASTER_KEYS: `main:${generateMasterKey()}`,
      DATA_PLANE_PORT: '0',
      DATA_PLANE_HOST: '127.0.0.1',
      DATA_PLANE_PROVIDERS: JSON.stringify([{ name: 'mock', kind: 'mock', models: ['mock-gpt', 'mock-mini'] }]),
      SHUTDOWN_GRACE_MS: String(GRACE_MS),
      SHUTDOWN_TIMEOUT_MS: String(TIMEOUT_MS),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  baseUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the data plane did not start:\n${output}`)), 60_000);
    child?.stdout?.on('data', () => {
      const match = /data plane: (http:\/\/127\.0\.0\.1:\d+)\/v1/.exec(output);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve(match[1]);
    });
    child?.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the data plane exited with ${code}:\n${output}`));
    });
  });
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child?.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
  await database?.drop();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${redisKeyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}, 60_000);

describe('the standalone data plane on SIGTERM', () => {
  it('drains: readiness 503, Connection: close on the kept-alive connection, the stream completes, exit 0 within the bound, usage flushed', async () => {
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const streaming = new http.Agent({ keepAlive: false });
    const fresh = () => new http.Agent({ keepAlive: false });
    for (const giveUpAt = Date.now() + 30_000; (await send(fresh(), 'GET', '/readyz')).status !== 200; ) {
      if (Date.now() > giveUpAt) throw new Error('never ready');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // The kept-alive connection is open and reused.
    const before = await send(keepAlive, 'POST', '/v1/chat/completions', { model: 'mock-mini', messages: [{ role: 'user', content: 'hi' }] });
    expect(before.status).toBe(200);
    expect(before.headers.connection).not.toBe('close');

    // A stream of ~3 s, in flight when SIGTERM arrives.
    let streamStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (streamStarted = resolve));
    const stream = send(
      streaming,
      'POST',
      '/v1/chat/completions',
      { model: 'mock-gpt', stream: true, messages: [{ role: 'user', content: 'tell me [mock: chunks=30 chunk-ms=100]' }] },
      () => streamStarted(),
    );
    await started;
    const exited = new Promise<{ code: number | null; at: number }>((resolve) => child?.once('exit', (code) => resolve({ code, at: Date.now() })));
    const signalledAt = Date.now();
    child?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect((await send(fresh(), 'GET', '/readyz')).status).toBe(503);
    // Within the grace, the kept-alive connection is still served, told to close.
    const during = await send(keepAlive, 'POST', '/v1/chat/completions', { model: 'mock-mini', messages: [{ role: 'user', content: 'hi again' }] });
    expect(during.status).toBe(200);
    expect(during.headers.connection).toBe('close');

    // After the grace, while the stream still runs, a new request is refused: 503 shutting_down, Retry-After, Connection: close.
    await new Promise((resolve) => setTimeout(resolve, GRACE_MS));
    const late = await send(fresh(), 'POST', '/v1/chat/completions', { model: 'mock-mini', messages: [{ role: 'user', content: 'too late' }] });
    expect([late.status, (JSON.parse(late.body) as { error: { code: string } }).error.code]).toEqual([503, 'shutting_down']);
    expect(late.headers['retry-after']).toBe('1');
    expect(late.headers.connection).toBe('close');

    const streamed = await stream;
    expect(streamed.status).toBe(200);
    expect(streamed.body).toContain('"finish_reason":"stop"');
    expect(streamed.body.trimEnd().endsWith('data: [DONE]')).toBe(true);

    const { code, at } = await exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(GRACE_MS + TIMEOUT_MS);

    // Flushed before exit: the usage events of the three requests served.
    const redis = new Redis(REDIS_URL);
    try {
      const entries = await redis.xrange(`${redisKeyPrefix}${USAGE_STREAM}`, '-', '+');
      expect(entries).toHaveLength(3);
    } finally {
      await redis.quit();
    }
  }, 60_000);
});
