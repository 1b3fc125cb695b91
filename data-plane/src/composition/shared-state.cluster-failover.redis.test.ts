import { randomUUID } from 'node:crypto';
import { clusterForTests, clusterTestsSkipReason } from '@switchyard/redis-connection/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { limitKeys } from '../ingress/limits/enforce-limits';
import { openSharedState, redisKeyNames, type SharedState } from './shared-state';

/**
 * The shared state of two data-plane replicas (openSharedState, as every composition root opens it)
 * on a Redis Cluster of 3 masters and 3 replicas, while one master fails over under load. What must
 * hold: no call hangs, the calls that fail during the failover fail with an error (the app's
 * fail-safe limiter turns those into local decisions; consumers retry), and once the replica has
 * taken over everything works again on the same slots: limits exact, streams delivered, pub/sub heard.
 */
const HOUR = 3_600_000;
/** Concurrent callers (as many requests in flight at once across the two replicas). */
const WORKERS = 8;

/**
 * During a failover only calls in flight at the switch may fail (ioredis queues and redirects the
 * rest): at most a couple per caller (each call is a script and an append), each a connection or
 * cluster-state error a caller can log and retry, none hung (the loops ended).
 */
function expectBoundedAndClear(during: Outcome): void {
  expect(during.failed).toBeLessThanOrEqual(2 * WORKERS);
  for (const message of during.errors) expect(message).toMatch(/Connection is closed|ECONNREFUSED|CLUSTERDOWN|MaxRetriesPerRequest|max retries|refresh slots cache|TRYAGAIN|READONLY|redirections|startup nodes|Cluster isn't ready/i);
}

interface Outcome {
  ok: number;
  failed: number;
  errors: Set<string>;
  /** The longest call (reported, not asserted: speed is not this test's business). */
  slowestMs: number;
}

/** Runs `op` in `workers` loops until `stop()`; counts outcomes per phase so "after" starts clean. */
function load(workers: number, op: (i: number) => Promise<unknown>) {
  let stopped = false;
  type Phase = 'before' | 'during' | 'after';
  let phase = 'before' as Phase;
  const outcomes: Record<Phase, Outcome> = {
    before: { ok: 0, failed: 0, errors: new Set(), slowestMs: 0 },
    during: { ok: 0, failed: 0, errors: new Set(), slowestMs: 0 },
    after: { ok: 0, failed: 0, errors: new Set(), slowestMs: 0 },
  };
  let n = 0;
  const loops = Array.from({ length: workers }, async () => {
    while (!stopped) {
      const at = phase;
      const started = performance.now();
      try {
        await op((n += 1));
        outcomes[at].ok += 1;
        outcomes[at].slowestMs = Math.max(outcomes[at].slowestMs, performance.now() - started);
      } catch (error) {
        // A call that began before the failover and failed in it belongs to the failover.
        const to = at === 'before' ? 'during' : at;
        outcomes[to].failed += 1;
        outcomes[to].errors.add(error instanceof Error ? error.message.slice(0, 120) : String(error));
        // A failed call is retried by its caller after a moment, not in a tight loop.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  });
  return {
    outcomes,
    enter(next: 'during' | 'after') {
      phase = next;
    },
    /** Resolves once `count` more calls have succeeded in the current phase. */
    async succeeded(count: number) {
      const target = outcomes[phase].ok + count;
      while (outcomes[phase].ok < target) await new Promise((resolve) => setTimeout(resolve, 10));
    },
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

describe.skipIf(clusterTestsSkipReason())('shared state on a Redis Cluster while a master fails over', () => {
  const test = clusterForTests({ masters: 3, replicas: 1, nodeTimeoutMs: 1_000 });
  const opened: SharedState[] = [];
  beforeAll(test.start, 60_000);
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await test.stop();
  });

  /**
   * Two replicas' shared state under a fresh prefix, a tenant whose limits live on a master that has
   * an in-sync replica, and a stream (with a consumer group) and channel on that same master.
   */
  async function twoReplicasOnOneMaster() {
    const prefix = `failover-${randomUUID()}:`;
    const names = redisKeyNames(prefix);
    const replicaA = openSharedState({ redisUrl: test.url, redisKeyPrefix: prefix });
    const replicaB = openSharedState({ redisUrl: test.url, redisKeyPrefix: prefix });
    opened.push(replicaA, replicaB);
    for (;;) {
      const tenantId = randomUUID();
      const master = await test.cluster.masterOf(names.rateLimits + limitKeys.tokensPerDayPerTenant(tenantId));
      const standby = await test.cluster.replicaOf(master);
      if (!standby) continue;
      let stream = '';
      for (let i = 0; ; i += 1) {
        stream = `switchyard:failover-test-${i}`;
        if ((await test.cluster.masterOf(names.bus + stream)).port === master.port) break;
      }
      await replicaB.bus.ensureGroup(stream, 'readers');
      const heard: string[] = [];
      await replicaB.bus.subscribe('switchyard:failover-channel', (message) => heard.push(message));
      const tenantMasterPort = async () => (await test.cluster.masterOf(names.rateLimits + limitKeys.tokensPerDayPerTenant(tenantId))).port;
      return { replicaA, replicaB, tenantId, master, standby, stream, heard, tenantMasterPort };
    }
  }

  /** Everything the group has not read yet, acknowledged. */
  async function drain(state: SharedState, stream: string): Promise<string[]> {
    const read: string[] = [];
    for (;;) {
      const entries = await state.bus.readGroup(stream, 'readers', 'c1', { count: 1_000, blockMs: 0 });
      if (entries.length === 0) return read;
      read.push(...entries.map((e) => e.payload));
      await state.bus.ack(stream, 'readers', entries.map((e) => e.id));
    }
  }

  it('an operator failover (CLUSTER FAILOVER on the replica) under load: at most the calls in flight fail, no charge and no acknowledged event is lost', async () => {
    const { replicaA, replicaB, tenantId, master, standby, stream, tenantMasterPort } = await twoReplicasOnOneMaster();
    const budget = 400;
    const checks = [
      { key: limitKeys.requestsPerMinutePerKey({ tenantId, apiKeyId: randomUUID() }), limit: { limit: 1_000_000_000, periodMs: HOUR }, cost: 1 },
      { key: limitKeys.tokensPerDayPerTenant(tenantId), limit: { limit: budget, periodMs: HOUR }, cost: 1 },
    ];
    let admitted = 0;
    let limiterFailures = 0;
    const appended: string[] = [];
    const traffic = load(WORKERS, async (i) => {
      const state = i % 2 ? replicaA : replicaB;
      const decisions = await state.rateLimiter.consumeAll(checks).catch((error: unknown) => {
        limiterFailures += 1;
        throw error;
      });
      if (decisions.every((d) => d.allowed)) admitted += 1;
      const payload = `event-${i}`;
      await state.bus.append(stream, payload);
      appended.push(payload);
    });
    await traffic.succeeded(100);
    traffic.enter('during');
    await test.cluster.promote(standby);
    expect(await tenantMasterPort()).toBe(standby.port);
    await traffic.succeeded(1);
    traffic.enter('after');
    await traffic.succeeded(budget);
    await traffic.stop();
    const { before, during, after } = traffic.outcomes;
    expect([before.failed, after.failed]).toEqual([0, 0]);
    expectBoundedAndClear(during);
    // Exact across the switch: more calls than the budget were made, and it was spent exactly once.
    // (A call that failed may or may not have been charged before its connection went: that is all the slack.)
    expect(before.ok + during.ok + after.ok).toBeGreaterThan(budget);
    expect(admitted).toBeLessThanOrEqual(budget);
    expect(admitted).toBeGreaterThanOrEqual(budget - limiterFailures);
    // Every acknowledged append is in the stream on the new master, once; a failed one at most once.
    const read = await drain(replicaB, stream);
    const acknowledged = new Set(appended);
    expect(read.filter((p) => acknowledged.has(p)).sort()).toEqual([...appended].sort());
    expect(read.length - appended.length).toBeLessThanOrEqual(during.failed);
    const took = (o: Outcome) => `${o.ok} ok / ${o.failed} failed, slowest ${Math.round(o.slowestMs)} ms`;
    console.info(`operator failover ${master.address} -> ${standby.address} under load: before ${took(before)}; during ${took(during)} (${[...during.errors].join(' | ') || 'no errors'}); after ${took(after)}`);
  }, 120_000);

  it('a killed master: calls fail clearly while its replica takes over, then limits, streams and pub/sub work on the same slots', async () => {
    const { replicaA, replicaB, tenantId, master: victim, stream, heard, tenantMasterPort } = await twoReplicasOnOneMaster();
    const subject = { tenantId, apiKeyId: randomUUID() };
    const generous = { limit: 1_000_000_000, periodMs: HOUR };
    const checks = [
      { key: limitKeys.requestsPerMinutePerKey(subject), limit: generous, cost: 1 },
      { key: limitKeys.tokensPerDayPerTenant(tenantId), limit: generous, cost: 10 },
    ];
    const traffic = load(WORKERS, async (i) => {
      const state = i % 2 ? replicaA : replicaB;
      const decisions = await state.rateLimiter.consumeAll(checks);
      expect(decisions.every((d) => d.allowed)).toBe(true);
      await state.bus.append(stream, `event-${i}`);
    });

    await traffic.succeeded(50);
    // What the replica has at this point survives (the group, the first events); what the victim
    // acknowledges after it and had not yet sent may be lost with it: replication is asynchronous.
    await test.cluster.waitReplicated(victim);
    traffic.enter('during');
    await victim.kill();
    await test.cluster.waitHealthy(30_000);
    expect(await tenantMasterPort()).not.toBe(victim.port);
    // The clients find the promoted replica by themselves (slot refresh on errors and redirects).
    await traffic.succeeded(1);
    traffic.enter('after');
    await traffic.succeeded(200);
    await traffic.stop();

    const { before, during, after } = traffic.outcomes;
    // After the takeover: every call succeeds.
    expect(after).toMatchObject({ failed: 0 });
    expect(after.ok).toBeGreaterThanOrEqual(200);
    expectBoundedAndClear(during);

    // Limits on the promoted master are exact again: 10 of 30 concurrent calls across both replicas.
    const fresh = { ...subject, apiKeyId: randomUUID() };
    const tight = [{ key: limitKeys.requestsPerMinutePerKey(fresh), limit: { limit: 10, periodMs: HOUR }, cost: 1 }];
    const decisions = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? replicaA : replicaB).rateLimiter.consumeAll(tight)));
    expect(decisions.filter(([d]) => d?.allowed)).toHaveLength(10);

    // The stream on the promoted master delivers what is appended after the takeover, exactly once.
    // (An append in flight when the master died may be in it twice: ioredis sends it again to the
    // promoted replica; consumers are idempotent by event id.)
    const marker = `after-failover-${randomUUID()}`;
    await replicaA.bus.append(stream, marker);
    const read = await drain(replicaB, stream);
    expect(read.filter((p) => p === marker)).toHaveLength(1);

    // Pub/sub: a subscriber hears publishes made after the failover (it resubscribes if its node died).
    const ping = `ping-${randomUUID()}`;
    for (let tries = 0; !heard.includes(ping); tries += 1) {
      if (tries > 200) throw new Error('the subscriber never heard a publish after the failover');
      await replicaA.bus.publish('switchyard:failover-channel', ping);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const took = (o: Outcome) => `${o.ok} ok / ${o.failed} failed, slowest ${Math.round(o.slowestMs)} ms`;
    console.info(`failover under load: before ${took(before)}; during ${took(during)} (${[...during.errors].join(' | ') || 'no errors'}); after ${took(after)}`);
  }, 120_000);
});
