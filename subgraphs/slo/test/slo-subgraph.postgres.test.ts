import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInProcessBus, type Bus } from '@switchyard/bus';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { ALERTS_STREAM, alertEventSchema } from '@switchyard/events/alerts';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import { OPTIMIZER_RUNS_STREAM, type OptimizerRunEvent } from '@switchyard/events/optimizer';
import { SLO_THROTTLE_CHANNEL, sloThrottleMessageSchema } from '@switchyard/events/slo';
import { USAGE_STREAM, type UsageEvent } from '@switchyard/events/usage';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair, type Principal } from '@switchyard/identity';
import { createRedisSliCounters, sloSeries } from '@switchyard/slo/counters';
import { createGraphQLRequest, errorCodes, listenOnLoopback, principalOf, type GraphQLRequest, type GraphQLReply } from '@switchyard/subgraph-kit/testing';
import { AUTO_THROTTLE_ACTOR, startBurnEvaluator } from '../src/burn-evaluator';
import { createConsoleLogger } from '../src/logger';
import { startOptimizerRunConsumer, startSliConsumer } from '../src/sli-consumer';
import { createSloDirectory } from '../src/slo-directory';
import { createSloStore } from '../src/slo-store';
import { createSloSubgraph, type SloSubgraph } from '../src/slo-subgraph';

const AUDIENCE = 'subgraph:slo';
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `sy-test-slo-${randomUUID()}:`;

let test: TestDatabase;
let bus: Bus;
let subgraph: SloSubgraph;
let request: GraphQLRequest<GraphQLReply>;
let tenantA: string;
let tenantB: string;
const counters = createRedisSliCounters(redisUrl, { keyPrefix });
const logger = createConsoleLogger('slo-test');
const appended: Array<{ stream: string; payload: string }> = [];
const throttles: string[] = [];

const adminA = () => principalOf(['tenant_admin'], tenantA, 'admin-a');
const viewerA = () => principalOf(['viewer'], tenantA, 'viewer-a');
const adminB = () => principalOf(['tenant_admin'], tenantB, 'admin-b');

const PUT = `mutation Put($input: PutSloInput!) { putSlo(input: $input) { id route kind objective percentile thresholdMs windowDays version
  status { sli errorBudgetRemaining totalRequests alertState throttled windows { name threshold longBurnRate shortBurnRate firing } } } }`;
const OVERVIEW = `query O($tenantId: ID!) { sloOverview(tenantId: $tenantId) { tenantId slos { id route kind version status { alertState throttled totalRequests } }
  transitions { sloId state previous throttle fastBurnRate } } }`;

const put = (principal: Principal, input: Record<string, unknown>) => request(principal, PUT, { input: { tenantId: tenantA, windowDays: 30, ...input } });

beforeAll(async () => {
  test = await createTestDatabase();
  const inner = createInProcessBus();
  // Records what the subgraph queues (alerts, audit) while passing everything through.
  bus = {
    ...inner,
    append: async (stream, payload) => {
      appended.push({ stream, payload });
      return inner.append(stream, payload);
    },
  };
  await bus.subscribe(SLO_THROTTLE_CHANNEL, (message) => throttles.push(message));
  const keys = await generateInternalKeyPair();
  subgraph = createSloSubgraph({ db: test.db, bus, counters, verifyInternalToken: createInternalTokenVerifier(keys.publicKey, AUDIENCE), logger });
  request = createGraphQLRequest(await listenOnLoopback(subgraph.server), createInternalTokenSigner(keys.privateKey), AUDIENCE);
  const create = (slug: string) => test.db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }));
  tenantA = (await create(`slo-a-${randomUUID().slice(0, 8)}`)).id;
  tenantB = (await create(`slo-b-${randomUUID().slice(0, 8)}`)).id;
});

afterAll(async () => {
  await subgraph?.close();
  await bus?.close();
  await counters.close();
  await test?.drop();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

describe('SLOs over GraphQL', () => {
  it('lets a tenant admin define SLOs, with the latency percentile as the objective, and audits it', async () => {
    const latency = await put(adminA(), { route: 'support-chat', kind: 'LATENCY', percentile: 95, thresholdMs: 800 });
    expect(latency.body.errors).toBeUndefined();
    expect(latency.body.data?.['putSlo']).toMatchObject({ route: 'support-chat', kind: 'LATENCY', objective: 0.95, percentile: 95, thresholdMs: 800, version: 1 });
    const availability = await put(adminA(), { route: 'support-chat', kind: 'AVAILABILITY', objective: 0.99 });
    expect(availability.body.data?.['putSlo']).toMatchObject({
      kind: 'AVAILABILITY',
      status: { sli: null, errorBudgetRemaining: 1, totalRequests: 0, alertState: 'OK', throttled: false, windows: [{ name: 'fast', threshold: 14.4 }, { name: 'slow', threshold: 3 }] },
    });
    const audits = appended.filter((a) => a.stream === AUDIT_STREAM).map((a) => auditEventSchema.parse(JSON.parse(a.payload)));
    expect(audits.filter((a) => a.action === 'slo.create' && a.tenantId === tenantA && a.actor === 'user:admin-a')).toHaveLength(2);

    const overview = await request(viewerA(), OVERVIEW, { tenantId: tenantA });
    expect((overview.body.data?.['sloOverview'] as { slos: unknown[] }).slos).toHaveLength(2);
  });

  it('refuses viewers, other tenants and hostile input with stable codes', async () => {
    expect(errorCodes(await put(viewerA(), { route: 'r', kind: 'AVAILABILITY', objective: 0.99 }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await put(adminB(), { route: 'r', kind: 'AVAILABILITY', objective: 0.99 }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await request(adminB(), OVERVIEW, { tenantId: tenantA }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await request(null, OVERVIEW, { tenantId: tenantA }))).toEqual(['UNAUTHENTICATED']);
    const bad = async (input: Record<string, unknown>, field: string) => {
      const reply = await put(adminA(), input);
      expect(errorCodes(reply)).toEqual(['BAD_USER_INPUT']);
      expect((reply.body.errors?.[0]?.extensions as { field?: string }).field).toBe(field);
    };
    await bad({ route: 'r', kind: 'AVAILABILITY', objective: 1 }, 'input.objective');
    await bad({ route: 'r', kind: 'LATENCY', percentile: 95 }, 'input.thresholdMs');
    await bad({ route: 'r', kind: 'LATENCY', percentile: 95, thresholdMs: 5, objective: 0.9 }, 'input.objective');
    await bad({ route: 'x'.repeat(257), kind: 'AVAILABILITY', objective: 0.99 }, 'input.route');
    await bad({ route: 'has space', kind: 'AVAILABILITY', objective: 0.99 }, 'input.route');
    await bad({ route: 'r', kind: 'AVAILABILITY', objective: 0.99, windowDays: 90 }, 'input.windowDays');
    await bad({ tenantId: 'not-a-uuid', route: 'r', kind: 'AVAILABILITY', objective: 0.99 }, 'input.tenantId');
    const deleteOther = await request(adminB(), 'mutation D($t: ID!, $id: ID!) { deleteSlo(tenantId: $t, id: $id) }', { t: tenantB, id: randomUUID() });
    expect(deleteOther.body.data?.['deleteSlo']).toBe(false);
  });

  it('creates one SLO per route and class under concurrency and refuses stale versions', async () => {
    const replies = await Promise.all(Array.from({ length: 5 }, () => put(adminA(), { route: 'batch-jobs', kind: 'AVAILABILITY', objective: 0.9 })));
    expect(replies.filter((r) => r.body.errors === undefined)).toHaveLength(1);
    expect(replies.flatMap(errorCodes).every((code) => code === 'SLO_VERSION_CONFLICT')).toBe(true);
    expect(errorCodes(await put(adminA(), { route: 'batch-jobs', kind: 'AVAILABILITY', objective: 0.95, expectedVersion: 7 }))).toEqual(['SLO_VERSION_CONFLICT']);
    const updated = await put(adminA(), { route: 'batch-jobs', kind: 'AVAILABILITY', objective: 0.95, expectedVersion: 1 });
    expect(updated.body.data?.['putSlo']).toMatchObject({ objective: 0.95, version: 2 });
    // A tenant B SLO id is invisible to tenant A's admin.
    const other = await put(adminB(), { tenantId: tenantB, route: 'b-route', kind: 'AVAILABILITY', objective: 0.99 });
    const otherId = (other.body.data?.['putSlo'] as { id: string }).id;
    const cross = await request(adminA(), 'mutation D($t: ID!, $id: ID!) { deleteSlo(tenantId: $t, id: $id) }', { t: tenantA, id: otherId });
    expect(cross.body.data?.['deleteSlo']).toBe(false);
  });
});

describe('burn-rate alerts and the auto-throttle', () => {
  const usage = (overrides: Partial<UsageEvent>): UsageEvent => ({
    requestId: `req-${randomUUID()}`,
    tenantId: tenantA,
    apiKeyId: null,
    model: 'mock-gpt',
    provider: 'mock',
    promptTokens: 10,
    completionTokens: 5,
    priceBookVersion: 1,
    costMicros: '1',
    latencyMs: 100,
    status: 'ok',
    createdAt: new Date().toISOString(),
    route: { name: 'support-chat', configured: true, strategy: 'priority', candidate: 'mock/mock-gpt', legs: [] },
    ...overrides,
  });

  it('counts usage once, pages on a fast burn, throttles, alerts, audits, and releases when the burn stops', async () => {
    const store = createSloStore(test.db);
    const directory = createSloDirectory(store, { maxAgeMs: 0 });
    const consumer = startSliConsumer({ bus, counters, directory, logger, blockMs: 50 });
    let clock = new Date();
    const evaluator = startBurnEvaluator({ bus, counters, store, directory, logger, intervalMs: 3_600_000, now: () => clock });
    try {
      const slo = (await store.list(tenantA)).find((s) => s.kind === 'availability' && s.route === 'support-chat');
      if (!slo) throw new Error('the availability SLO of the first test is missing');
      // 30 % errors: a 30× burn against a 99 % objective, past 14.4 on both fast windows.
      const events = Array.from({ length: 100 }, (_, i) => usage({ status: i < 30 ? 'error' : 'ok' }));
      for (const event of events) await bus.append(USAGE_STREAM, JSON.stringify(event));
      // A redelivery of the same request ids (another consumer, a replay) must not count again.
      for (const event of events.slice(0, 10)) await bus.append(USAGE_STREAM, JSON.stringify(event));
      // Another tenant's traffic on a route of the same name counts for nothing here.
      await bus.append(USAGE_STREAM, JSON.stringify(usage({ tenantId: tenantB, status: 'error' })));
      const series = sloSeries(tenantA, slo.id);
      await expect.poll(async () => (await counters.totals(series, clock, [300])).get(300), { timeout: 20_000 }).toEqual({ good: 70, total: 100 });

      expect(await evaluator.evaluateOnce()).toBeGreaterThanOrEqual(1);
      // Evaluated again: nothing changed, nothing recorded or sent twice.
      await evaluator.evaluateOnce();
      const overview = await request(viewerA(), OVERVIEW, { tenantId: tenantA });
      const view = overview.body.data?.['sloOverview'] as { slos: Array<{ id: string; status: { alertState: string; throttled: boolean } }>; transitions: Array<{ sloId: string; state: string; throttle: string | null }> };
      expect(view.slos.find((s) => s.id === slo.id)?.status).toMatchObject({ alertState: 'PAGE', throttled: true });
      expect(view.transitions.filter((t) => t.sloId === slo.id)).toEqual([expect.objectContaining({ state: 'PAGE', throttle: 'ENGAGE' })]);

      const alerts = appended.filter((a) => a.stream === ALERTS_STREAM).map((a) => alertEventSchema.parse(JSON.parse(a.payload)));
      expect(alerts.filter((a) => a.type === 'slo.burn_rate' && a.data.sloId === slo.id)).toEqual([
        expect.objectContaining({ id: `slo:${slo.id}:1`, tenantId: tenantA, data: expect.objectContaining({ state: 'page', previous: 'ok', throttle: 'engage' }) }),
      ]);
      expect(throttles.map((m) => sloThrottleMessageSchema.parse(JSON.parse(m)))).toContainEqual(expect.objectContaining({ tenantId: tenantA, route: 'support-chat', sloId: slo.id, action: 'engage' }));
      const auditActions = () =>
        appended
          .filter((a) => a.stream === AUDIT_STREAM)
          .map((a) => auditEventSchema.parse(JSON.parse(a.payload)))
          .filter((a) => a.actor === AUTO_THROTTLE_ACTOR && a.payload['sloId'] === slo.id)
          .map((a) => a.action);
      expect(auditActions()).toEqual(['slo.alert.page', 'slo.throttle.engage']);
      expect(await store.engagedThrottles()).toContainEqual({ tenantId: tenantA, sloId: slo.id, route: 'support-chat' });

      // Six minutes later the route answers again: the 5-minute window is clean, so the page ends
      // (the hour still burns past 3×: a ticket remains) and the throttle is released.
      clock = new Date(clock.getTime() + 6 * 60_000);
      for (let i = 0; i < 50; i += 1) await bus.append(USAGE_STREAM, JSON.stringify(usage({ createdAt: clock.toISOString() })));
      await expect.poll(async () => (await counters.totals(series, clock, [300])).get(300), { timeout: 20_000 }).toEqual({ good: 50, total: 50 });
      await evaluator.evaluateOnce();
      expect(auditActions()).toEqual(['slo.alert.page', 'slo.throttle.engage', 'slo.alert.ticket', 'slo.throttle.release']);
      expect(throttles.map((m) => sloThrottleMessageSchema.parse(JSON.parse(m))).filter((m) => m.sloId === slo.id).map((m) => m.action)).toEqual(['engage', 'release']);
      expect(await store.engagedThrottles()).not.toContainEqual(expect.objectContaining({ sloId: slo.id }));
    } finally {
      await evaluator.stop();
      await consumer.stop();
    }
  });

  it('pages a quality and a cost SLO when optimizer runs report bad regret and savings, counting each run once', async () => {
    const store = createSloStore(test.db);
    const directory = createSloDirectory(store, { maxAgeMs: 0 });
    const quality = await put(adminA(), { route: 'smart', kind: 'QUALITY', objective: 0.99, maxRegret: 0.05 });
    const cost = await put(adminA(), { route: 'smart', kind: 'COST', objective: 0.99, minSavingsPct: 20 });
    const healthy = await put(adminA(), { route: 'steady', kind: 'QUALITY', objective: 0.99, maxRegret: 0.05 });
    const idOf = (reply: GraphQLReply) => {
      const id = (reply.body.data?.['putSlo'] as { id?: string } | undefined)?.id;
      if (!id) throw new Error(`putSlo failed: ${JSON.stringify(reply.body.errors)}`);
      return id;
    };
    const [qualityId, costId, healthyId] = [idOf(quality), idOf(cost), idOf(healthy)];
    const runConsumer = startOptimizerRunConsumer({ bus, counters, directory, logger, blockMs: 50 });
    const usageConsumer = startSliConsumer({ bus, counters, directory, logger, blockMs: 50 });
    const clock = new Date();
    const evaluator = startBurnEvaluator({ bus, counters, store, directory, logger, intervalMs: 3_600_000, now: () => clock });
    try {
      const run = (overrides: Partial<OptimizerRunEvent>): OptimizerRunEvent => ({
        runId: randomUUID(),
        tenantId: tenantA,
        at: new Date(clock.getTime() - 60_000).toISOString(),
        routes: [
          { route: 'smart', requests: 400, savingsPct: 4, regretDelta: 0.3 },
          { route: 'steady', requests: 100, savingsPct: 30, regretDelta: 0.01 },
        ],
        ...overrides,
      });
      const runs = [run({}), run({}), run({})];
      for (const event of runs) await bus.append(OPTIMIZER_RUNS_STREAM, JSON.stringify(event));
      // A redelivered run counts nothing; another tenant's run on a route of the same name neither.
      await bus.append(OPTIMIZER_RUNS_STREAM, JSON.stringify(runs[0]));
      await bus.append(OPTIMIZER_RUNS_STREAM, JSON.stringify(run({ tenantId: tenantB })));
      // Malformed or hostile entries are dropped, not retried forever.
      await bus.append(OPTIMIZER_RUNS_STREAM, 'not json');
      await bus.append(OPTIMIZER_RUNS_STREAM, JSON.stringify({ ...run({}), routes: [{ route: 'smart', requests: 1, savingsPct: 500, regretDelta: 2 }] }));
      // A request on the route has no regret or savings of its own: it counts toward neither class.
      await bus.append(USAGE_STREAM, JSON.stringify(usage({ route: { name: 'smart', configured: true, strategy: 'bandit', candidate: 'mock/mock-gpt', legs: [] } })));

      await expect.poll(async () => (await counters.totals(sloSeries(tenantA, qualityId), clock, [300])).get(300), { timeout: 20_000 }).toEqual({ good: 0, total: 3 });
      await expect.poll(async () => (await counters.totals(sloSeries(tenantA, costId), clock, [300])).get(300), { timeout: 20_000 }).toEqual({ good: 0, total: 3 });
      expect((await counters.totals(sloSeries(tenantA, healthyId), clock, [300])).get(300)).toEqual({ good: 3, total: 3 });

      await evaluator.evaluateOnce();
      const overview = await request(viewerA(), OVERVIEW, { tenantId: tenantA });
      const view = overview.body.data?.['sloOverview'] as { slos: Array<{ id: string; status: { alertState: string; throttled: boolean; totalRequests: number } }> };
      expect(view.slos.find((s) => s.id === qualityId)?.status).toMatchObject({ alertState: 'PAGE', throttled: false, totalRequests: 3 });
      expect(view.slos.find((s) => s.id === costId)?.status).toMatchObject({ alertState: 'PAGE', throttled: false, totalRequests: 3 });
      expect(view.slos.find((s) => s.id === healthyId)?.status).toMatchObject({ alertState: 'OK', totalRequests: 3 });
      const alerts = appended.filter((a) => a.stream === ALERTS_STREAM).map((a) => alertEventSchema.parse(JSON.parse(a.payload)));
      // Shedding load lowers neither regret nor cost share: these pages alert without the auto-throttle.
      expect(throttles.map((m) => sloThrottleMessageSchema.parse(JSON.parse(m))).filter((m) => m.sloId === qualityId || m.sloId === costId)).toEqual([]);
      for (const [sloId, kind] of [[qualityId, 'quality'], [costId, 'cost']] as const) {
        expect(alerts.filter((a) => a.type === 'slo.burn_rate' && a.data.sloId === sloId)).toEqual([
          expect.objectContaining({ id: `slo:${sloId}:1`, tenantId: tenantA, data: expect.objectContaining({ kind, state: 'page', previous: 'ok', throttle: null }) }),
        ]);
      }
    } finally {
      await evaluator.stop();
      await runConsumer.stop();
      await usageConsumer.stop();
    }
  });

  it('records a transition once when evaluators on two replicas race', async () => {
    const store = createSloStore(test.db);
    const slo = (await store.list(tenantA)).find((s) => s.route === 'batch-jobs');
    if (!slo) throw new Error('missing SLO');
    const transition = { tenantId: tenantA, sloId: slo.id, seq: 1, route: slo.route, state: 'ticket' as const, previous: 'ok' as const, throttle: null, burnRates: { fast: 1, slow: 4 }, occurredAt: new Date() };
    const results = await Promise.all([store.recordTransition(transition), store.recordTransition(transition), store.recordTransition(transition)]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});
