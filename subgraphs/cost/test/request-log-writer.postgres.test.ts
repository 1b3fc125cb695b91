import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisBus, type Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { REQUEST_LOG_STREAM, REQUEST_LOG_WRITTEN_CHANNEL } from '@switchyard/events/request-log';
import { createRequestLogStore } from '../src/request-log/request-log-store';
import { startRequestLogWriter } from '../src/request-log/request-log-writer';
import { requestLogEvent } from './request-log-events';
import { createRecordingLogger } from './recording-logger';

/** The writer on real Redis Streams and Postgres: a consumer group, partitions made ahead, replays written once. */
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `sy-test-request-log-${randomUUID()}:`;
let testDatabase: TestDatabase;
let db: Database;
let bus: Bus;

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  db = testDatabase.db;
  bus = createRedisBus(redisUrl, { keyPrefix: prefix });
});

afterAll(async () => {
  await bus?.close();
  await testDatabase?.drop();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('request log writer', () => {
  it('writes appended entries once (a replayed entry included), drops invalid ones, and makes partitions ahead', async () => {
    const tenantId = (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'writer', name: 'writer' }, select: { id: true } }))).id;
    const { logger, entries } = createRecordingLogger();
    const announced: string[] = [];
    await bus.subscribe(REQUEST_LOG_WRITTEN_CHANNEL, (message) => announced.push(message));
    const writer = startRequestLogWriter({ db, bus, logger, blockMs: 50, retryDelayMs: 50 });
    await writer.maintain();
    const event = requestLogEvent(tenantId);
    await bus.append(REQUEST_LOG_STREAM, JSON.stringify(event));
    await bus.append(REQUEST_LOG_STREAM, JSON.stringify(event));
    await bus.append(REQUEST_LOG_STREAM, JSON.stringify(requestLogEvent(tenantId, { status: 429, refused: true, errorCode: 'rate_limit_exceeded' })));
    await bus.append(REQUEST_LOG_STREAM, '{"not":"an entry"}');
    const store = createRequestLogStore(db);
    const window = { from: new Date(Date.now() - 3_600_000), to: new Date(Date.now() + 3_600_000), limit: 10 };
    await expect.poll(async () => (await store.list(tenantId, window)).length, { timeout: 10_000 }).toBe(2);
    // Each committed write is announced key-only (for requestLogUpdated), and a replay that
    // changes nothing announces nothing. A later entry of another tenant marks a point: once it is
    // announced, everything appended before it has been handled (one consumer, in order).
    const other = (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: 'writer-other', name: 'writer-other' }, select: { id: true } }))).id;
    const otherAnnounced = () => announced.filter((message) => message === JSON.stringify({ tenantId: other })).length;
    const mineAnnounced = () => announced.filter((message) => message === JSON.stringify({ tenantId })).length;
    await bus.append(REQUEST_LOG_STREAM, JSON.stringify(requestLogEvent(other)));
    await expect.poll(otherAnnounced, { timeout: 10_000 }).toBe(1);
    const before = mineAnnounced();
    expect(before).toBeGreaterThan(0);
    expect(announced.length).toBe(before + 1);
    await bus.append(REQUEST_LOG_STREAM, JSON.stringify(event));
    await bus.append(REQUEST_LOG_STREAM, JSON.stringify(requestLogEvent(other)));
    await expect.poll(otherAnnounced, { timeout: 10_000 }).toBe(2);
    expect(mineAnnounced()).toBe(before);
    await writer.stop();
    const partitions = await db.withPlatform((tx) => tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'request_log'::regclass`);
    expect(partitions[0]?.n).toBe(3);
    expect(entries.some((entry) => entry.message === 'dropping invalid request log entry')).toBe(true);
  });
});
