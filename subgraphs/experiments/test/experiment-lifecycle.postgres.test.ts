import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeDataPlane, databaseStores, openSharedState, type ComposedDataPlane } from '@switchyard/data-plane/composition';
import { loadDataPlaneConfig } from '@switchyard/data-plane/config';
import { createRedisBus, type Bus } from '@switchyard/bus';
import { createDatabase, seed, type Database } from '@switchyard/db';
import { createTestDatabase, type TestDatabase } from '@switchyard/db/testing';
import { AUDIT_STREAM, auditEventSchema } from '@switchyard/events/audit';
import { generateApiKeySecret } from '@switchyard/identity';
import { createLocalKms, generateMasterKey } from '@switchyard/identity/envelope';
import { CREATE, UPDATE, definition, errorCodes, principalOf, startExperimentsHarness, type ExperimentsHarness, type GraphQLReply } from './harness';

/**
 * The experiment lifecycle on real Postgres and Redis, with a data plane composed as every
 * deployable composes it and OpenAI-shaped traffic over HTTP (the openai client drives the same
 * path in data-plane/src/router/experiments.app.test.ts and the e2e test): a shadow challenger is
 * measured from the usage stream, auto-promoted by the always-valid test (audited with its
 * statistics), the replica serves the new champion; revert, rollback and pin; concurrent
 * promotions resolve to one; a promotion that fails midway changes nothing.
 */
const redisUrl = process.env.SWITCHYARD_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const keyPrefix = `sy-test-experiments-${randomUUID()}:`;
const kms = createLocalKms({ masterKeys: { main: generateMasterKey() }, activeKeyId: 'main' });

let testDatabase: TestDatabase;
let subgraphBus: Bus;
let harness: ExperimentsHarness;
let replica: { url: string; close(): Promise<void>; app: ComposedDataPlane; db: Database };
let tenantA: string;
let tenantB: string;
let secretA: string;

const adminA = () => principalOf(['tenant_admin'], tenantA, 'admin-a');
const viewerA = () => principalOf(['viewer'], tenantA, 'viewer-a');
const adminB = () => principalOf(['tenant_admin'], tenantB, 'admin-b');

const EXPERIMENT_FIELDS = `id routeName challengerModel mode status statusReason baselineVersion promotedVersion metric
  arms { arm label metrics { metric samples mean } }
  statistics { estimate lower upper eValue pValue championSamples challengerSamples decision }`;
const START = `mutation ($input: StartExperimentInput!) { startExperiment(input: $input) { ${EXPERIMENT_FIELDS} } }`;
const PROMOTE = `mutation ($input: ExperimentRefInput!) { promoteExperiment(input: $input) { ${EXPERIMENT_FIELDS} } }`;
const STOP = `mutation ($input: ExperimentRefInput!) { stopExperiment(input: $input) { ${EXPERIMENT_FIELDS} } }`;
const REVERT = `mutation ($input: ExperimentRefInput!) { revertPromotion(input: $input) { ${EXPERIMENT_FIELDS} } }`;
const ONE_EXPERIMENT = `query ($tenantId: ID!, $id: ID!) { experiment(tenantId: $tenantId, id: $id) { ${EXPERIMENT_FIELDS} } }`;
const ROUTE = `query ($tenantId: ID!, $name: String!) { route(tenantId: $tenantId, name: $name) { version pinnedVersion candidates { model } versions { version reason } } }`;
const ROLLBACK = `mutation ($input: RollbackRouteInput!) { rollbackRoute(input: $input) { version candidates { model } } }`;
const PIN = `mutation ($input: PinRouteInput!) { pinRoute(input: $input) { version pinnedVersion candidates { model } } }`;

interface ExperimentReply {
  id: string;
  status: string;
  statusReason: string | null;
  promotedVersion: number | null;
  baselineVersion: number;
  statistics: { championSamples: number; challengerSamples: number; decision: string; pValue: number; upper: number | null };
}
interface RouteState {
  version: number;
  pinnedVersion: number | null;
  candidates: { model: string }[];
  versions: { version: number; reason: string }[];
}

function data<T>(reply: GraphQLReply, field: string): T {
  expect(reply.body.errors).toBeUndefined();
  return (reply.body.data as Record<string, T>)[field]!;
}

async function createRoute(name: string, models = ['mock-gpt']): Promise<void> {
  data(await harness.request(adminA(), CREATE, { input: { tenantId: tenantA, name, definition: definition(models) } }), 'createRoute');
}

const routeState = async (name: string): Promise<RouteState> => data<RouteState>(await harness.request(viewerA(), ROUTE, { tenantId: tenantA, name }), 'route');
const experimentState = async (id: string): Promise<ExperimentReply> => data<ExperimentReply>(await harness.request(viewerA(), ONE_EXPERIMENT, { tenantId: tenantA, id }), 'experiment');

interface Client {
  chat: { completions: { create(body: { model: string; messages: { role: 'user'; content: string }[] }): Promise<{ model: string }> } };
}

/** A minimal chat client over fetch (this package does not depend on the openai SDK). */
function chatClient(secret: string): Client {
  return {
    chat: {
      completions: {
        async create(body) {
          const response = await fetch(`${replica.url}/chat/completions`, {
            method: 'POST',
            headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
          });
          // Until the route reaches the replica its name is unknown there (404): reported as the status.
          return response.status === 200 ? ((await response.json()) as { model: string }) : { model: `HTTP ${response.status}` };
        },
      },
    },
  };
}

async function auditEvents() {
  const group = `check-${randomUUID()}`;
  await subgraphBus.ensureGroup(AUDIT_STREAM, group);
  const entries = await subgraphBus.readGroup(AUDIT_STREAM, group, 'reader', { count: 10_000, blockMs: 0 });
  return entries.map((entry) => auditEventSchema.parse(JSON.parse(entry.payload)));
}

/** Polls the replica until it answers `route` with `model` (a deadline, not a sleep). */
async function untilServed(client: Client, route: string, model: string, deadlineMs = 10_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    const answer = await client.chat.completions.create({ model: route, messages: [{ role: 'user', content: 'hi' }] });
    if (answer.model === model) return;
    if (Date.now() - started > deadlineMs) throw new Error(`still served by ${answer.model}, expected ${model}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  testDatabase = await createTestDatabase();
  await seed(testDatabase.db);
  const create = (slug: string) => testDatabase.db.withPlatform((tx) => tx.tenant.create({ data: { slug: `${slug}-${randomUUID().slice(0, 8)}`, name: slug }, select: { id: true } }));
  tenantA = (await create('exp-a')).id;
  tenantB = (await create('exp-b')).id;
  const { secret, prefix, hash } = generateApiKeySecret();
  await testDatabase.db.withTenant(tenantA, (tx) => tx.apiKey.create({ data: { tenantId: tenantA, name: 'test', prefix, hash, scopes: ['inference'] } }));
  secretA = secret;
  subgraphBus = createRedisBus(redisUrl, { keyPrefix });
  harness = await startExperimentsHarness(testDatabase.db, { bus: subgraphBus });
  const db = await createDatabase({ url: testDatabase.url });
  const sharedState = openSharedState({ redisUrl, redisKeyPrefix: keyPrefix });
  const app = await composeDataPlane(loadDataPlaneConfig({}), {
    stores: databaseStores(db, { kms, routeResyncIntervalMs: 0 }),
    bus: sharedState.bus,
    rateLimiter: sharedState.rateLimiter,
    feedbackLog: sharedState.feedbackLog,
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  replica = {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`,
    app,
    db,
    async close() {
      await app.close();
      await sharedState.close();
      await db.close();
    },
  };
});

afterAll(async () => {
  await replica?.close();
  await harness?.close();
  await subgraphBus?.close();
  await testDatabase?.drop();
});

describe('experiment lifecycle', () => {
  it('a shadow challenger is measured from the usage stream and auto-promoted; revert, rollback and pin follow', async () => {
    const client = chatClient(secretA);
    await createRoute('smart');
    await untilServed(client, 'smart', 'mock-gpt');

    const started = data<ExperimentReply>(
      await harness.request(adminA(), START, { input: { tenantId: tenantA, routeName: 'smart', challengerModel: 'mock-mini', mode: 'SHADOW', metric: 'COST', guardrails: { minSamples: 5 } } }),
      'startExperiment',
    );
    expect(started).toMatchObject({ status: 'RUNNING', baselineVersion: 1 });

    // Traffic until the test decides (the champion keeps answering meanwhile; nothing is timed).
    const deadline = Date.now() + 30_000;
    let state = await experimentState(started.id);
    while (state.status === 'RUNNING' && Date.now() < deadline) {
      const answer = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'Tell me something cheap.' }] });
      state = await experimentState(started.id);
      // The challenger answers only once the promotion has committed (route and experiment change in one transaction).
      if (state.status === 'RUNNING') expect(answer.model).toBe('mock-gpt');
    }
    expect(state.status).toBe('PROMOTED');
    expect(state.statusReason).toMatch(/challenger won on cost/);
    expect(state.statistics.decision).toBe('challenger');
    expect(state.statistics.challengerSamples).toBeGreaterThanOrEqual(20);
    expect(state.statistics.upper).toBeLessThan(0);
    expect(state.promotedVersion).toBe(3);

    const promoted = await routeState('smart');
    expect(promoted.candidates).toEqual([{ model: 'mock-mini' }]);
    expect(promoted.versions.map((v) => v.reason)).toEqual(['experiment.promote', 'experiment.start', 'create']);
    await untilServed(client, 'smart', 'mock-mini');

    // The decision and its statistics are in the audit stream, under the service's actor.
    const audit = await auditEvents();
    const decision = audit.find((event) => event.action === 'experiment.promote');
    expect(decision).toMatchObject({ actor: 'service:experiments', tenantId: tenantA, payload: { experimentId: started.id, statistics: { metric: 'cost' } } });

    // Revert the promotion: the baseline's definition as a new version.
    expect(data<ExperimentReply>(await harness.request(adminA(), REVERT, { input: { tenantId: tenantA, id: started.id } }), 'revertPromotion').status).toBe('REVERTED');
    expect((await routeState('smart')).candidates).toEqual([{ model: 'mock-gpt' }]);
    await untilServed(client, 'smart', 'mock-gpt');

    // Roll back to the promoted version in one step, then pin version 1.
    const rolledBack = data<{ version: number; candidates: { model: string }[] }>(
      await harness.request(adminA(), ROLLBACK, { input: { tenantId: tenantA, name: 'smart', toVersion: 3, expectedVersion: 4 } }),
      'rollbackRoute',
    );
    expect(rolledBack).toEqual({ version: 5, candidates: [{ model: 'mock-mini' }] });
    await untilServed(client, 'smart', 'mock-mini');
    expect(data(await harness.request(adminA(), PIN, { input: { tenantId: tenantA, name: 'smart', version: 1 } }), 'pinRoute')).toEqual({ version: 5, pinnedVersion: 1, candidates: [{ model: 'mock-gpt' }] });
    await untilServed(client, 'smart', 'mock-gpt');
    const refused = await harness.request(adminA(), UPDATE, { input: { tenantId: tenantA, name: 'smart', expectedVersion: 5, definition: definition(['mock-large']) } });
    expect(errorCodes(refused)).toEqual(['ROUTE_PINNED']);
    expect(data(await harness.request(adminA(), PIN, { input: { tenantId: tenantA, name: 'smart', version: null } }), 'pinRoute')).toMatchObject({ pinnedVersion: null, candidates: [{ model: 'mock-mini' }] });
    await untilServed(client, 'smart', 'mock-mini');
    const audited = (await auditEvents()).map((event) => event.action);
    expect(audited).toEqual(expect.arrayContaining(['experiment.start', 'experiment.promote', 'experiment.revert', 'route.rollback', 'route.pin', 'route.unpin']));
  });

  it('a challenger that breaks a guardrail is stopped automatically, audited, and the route goes back to its champion', async () => {
    const client = chatClient(secretA);
    await createRoute('costly');
    await untilServed(client, 'costly', 'mock-gpt');
    const refused = await harness.request(adminA(), START, {
      input: { tenantId: tenantA, routeName: 'costly', challengerModel: 'mock-large', mode: 'SPLIT', guardrails: { allowedDataClassifications: ['public'] } },
    });
    expect(errorCodes(refused)).toEqual(['BAD_USER_INPUT']);
    const started = data<ExperimentReply>(
      await harness.request(adminA(), START, {
        input: { tenantId: tenantA, routeName: 'costly', challengerModel: 'mock-large', mode: 'SPLIT', percent: 100, guardrails: { maxCostPerRequestMicros: 1, minSamples: 3 } },
      }),
      'startExperiment',
    );
    await untilServed(client, 'costly', 'mock-large');
    const deadline = Date.now() + 30_000;
    let state = await experimentState(started.id);
    while (state.status === 'RUNNING' && Date.now() < deadline) {
      await client.chat.completions.create({ model: 'costly', messages: [{ role: 'user', content: 'expensive question' }] });
      state = await experimentState(started.id);
    }
    expect(state.status).toBe('STOPPED');
    expect(state.statusReason).toMatch(/^guardrail: mean cost per request \d+ µUSD exceeds the guardrail of 1 µUSD/);
    expect((await routeState('costly')).versions.map((v) => v.reason)).toEqual(['experiment.guardrail', 'experiment.start', 'create']);
    await untilServed(client, 'costly', 'mock-gpt');
    const stop = (await auditEvents()).find((event) => event.action === 'experiment.guardrail_stop' && event.payload['experimentId'] === started.id);
    expect(stop).toMatchObject({ actor: 'service:experiments', tenantId: tenantA });
  });

  it('concurrent promotions of one experiment resolve to one: one new version, one champion', async () => {
    await createRoute('race');
    const started = data<ExperimentReply>(
      await harness.request(adminA(), START, { input: { tenantId: tenantA, routeName: 'race', challengerModel: 'mock-mini', mode: 'SPLIT', percent: 20, autoPromote: false } }),
      'startExperiment',
    );
    const replies = await Promise.all(Array.from({ length: 6 }, () => harness.request(adminA(), PROMOTE, { input: { tenantId: tenantA, id: started.id } })));
    const won = replies.filter((reply) => reply.body.errors === undefined);
    expect(won).toHaveLength(1);
    for (const reply of replies.filter((r) => r.body.errors !== undefined)) expect(errorCodes(reply)).toEqual(['EXPERIMENT_STATE']);
    const route = await routeState('race');
    expect(route.candidates).toEqual([{ model: 'mock-mini' }]);
    expect(route.versions.filter((v) => v.reason === 'experiment.promote')).toHaveLength(1);
    expect(route.version).toBe(3);
  });

  it('a promotion that fails midway leaves the route and the experiment as they were (one transaction)', async () => {
    await createRoute('crash');
    const started = data<ExperimentReply>(
      await harness.request(adminA(), START, { input: { tenantId: tenantA, routeName: 'crash', challengerModel: 'mock-mini', mode: 'SHADOW', autoPromote: false } }),
      'startExperiment',
    );
    // A row in the way of the version the promotion would write: its history insert fails after the experiment and route rows were updated.
    await testDatabase.db.withTenant(tenantA, async (tx) => {
      const route = await tx.route.findFirstOrThrow({ where: { name: 'crash' } });
      await tx.routeVersion.create({ data: { tenantId: tenantA, routeId: route.id, version: route.version + 1, definition: {}, reason: 'update', createdBy: 'test' } });
    });
    const failed = await harness.request(adminA(), PROMOTE, { input: { tenantId: tenantA, id: started.id } });
    expect(failed.body.errors).toBeDefined();
    expect((await experimentState(started.id)).status).toBe('RUNNING');
    const route = await routeState('crash');
    expect(route.version).toBe(2);
    expect(route.candidates).toEqual([{ model: 'mock-gpt' }]);
  });

  it("registers the challenger's price, context window and region; a region outside the tenant's allowed ones is refused", async () => {
    await createRoute('placed');
    const setAllowedRegions = (allowedRegions: string[]) => testDatabase.db.withPlatform((tx) => tx.tenant.update({ where: { id: tenantA }, data: { allowedRegions } }));
    await setAllowedRegions(['eu-west']);
    try {
      const input = { tenantId: tenantA, routeName: 'placed', challengerModel: 'mock-mini', mode: 'SHADOW' };
      const abroad = await harness.request(adminA(), START, { input: { ...input, challengerMetadata: { region: 'us-east', contextWindow: 8192 } } });
      expect(errorCodes(abroad)).toEqual(['BAD_USER_INPUT']);
      expect(JSON.stringify(abroad.body.errors)).toMatch(/us-east/);
      expect(errorCodes(await harness.request(adminA(), START, { input: { ...input, challengerMetadata: { contextWindow: -1 } } }))).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await harness.request(adminA(), START, { input: { ...input, challengerMetadata: { region: 'eu west; drop' } } }))).toEqual(['BAD_USER_INPUT']);
      const metadata = { inputPer1kUsd: 0.15, outputPer1kUsd: 0.6, contextWindow: 128000, region: 'eu-west' };
      const reply = await harness.request(adminA(), `mutation ($input: StartExperimentInput!) { startExperiment(input: $input) { id challengerMetadata { inputPer1kUsd outputPer1kUsd contextWindow region } } }`, {
        input: { ...input, challengerMetadata: metadata },
      });
      const started = data<{ id: string; challengerMetadata: typeof metadata }>(reply, 'startExperiment');
      expect(started.challengerMetadata).toEqual(metadata);
      // The route the data plane reads carries only the challenger's model: metadata stays with the experiment.
      const route = await testDatabase.db.withTenant(tenantA, (tx) => tx.route.findFirstOrThrow({ where: { tenantId: tenantA, name: 'placed' } }));
      expect(JSON.stringify(route.definition)).not.toMatch(/contextWindow|eu-west/);
      await harness.request(adminA(), STOP, { input: { tenantId: tenantA, id: started.id } });
    } finally {
      await setAllowedRegions([]);
    }
  });

  it("an automatic judge scores both arms' answers off the client's path; the scores reach the arms' QUALITY through the Redis feedback stream", async () => {
    const client = chatClient(secretA);
    await createRoute('judged');
    await untilServed(client, 'judged', 'mock-gpt');
    const input = { tenantId: tenantA, routeName: 'judged', challengerModel: 'mock-mini', mode: 'SHADOW', metric: 'QUALITY', autoPromote: false };
    expect(errorCodes(await harness.request(adminA(), START, { input: { ...input, judgeModel: 'no-such-judge' } }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await harness.request(adminA(), START, { input: { ...input, judgeProvider: 'mock' } }))).toEqual(['BAD_USER_INPUT']);
    const reply = await harness.request(adminA(), `mutation ($input: StartExperimentInput!) { startExperiment(input: $input) { id judge { model provider } } }`, {
      input: { ...input, judgeModel: 'mock-judge' },
    });
    const started = data<{ id: string; judge: { model: string; provider: string | null } }>(reply, 'startExperiment');
    expect(started.judge).toEqual({ model: 'mock-judge', provider: null });
    // The data plane reads the judge from the route's definition.
    const route = await testDatabase.db.withTenant(tenantA, (tx) => tx.route.findFirstOrThrow({ where: { tenantId: tenantA, name: 'judged' } }));
    expect((route.definition as { experiment?: { judge?: unknown } }).experiment?.judge).toEqual({ model: 'mock-judge' });

    const requests = 4;
    for (let i = 0; i < requests; i++) {
      expect((await client.chat.completions.create({ model: 'judged', messages: [{ role: 'user', content: `Question ${i}?` }] })).model).toBe('mock-gpt');
    }
    // Both arms are judged on every request: the scores arrive as each arm's QUALITY samples (a deadline, not a sleep).
    type Arms = { arms: { arm: string; metrics: { metric: string; samples: number; mean: number }[] }[]; statistics: { championSamples: number; challengerSamples: number } };
    const QUALITY = `query ($tenantId: ID!, $id: ID!) { experiment(tenantId: $tenantId, id: $id) { arms { arm metrics { metric samples mean } } statistics { championSamples challengerSamples } } }`;
    const deadline = Date.now() + 20_000;
    let state = data<Arms>(await harness.request(viewerA(), QUALITY, { tenantId: tenantA, id: started.id }), 'experiment');
    const samples = (arms: Arms, metric: string) => arms.arms.map((arm) => arm.metrics.find((m) => m.metric === metric)?.samples ?? 0);
    while ([...samples(state, 'QUALITY'), ...samples(state, 'COST')].some((n) => n < requests) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      state = data<Arms>(await harness.request(viewerA(), QUALITY, { tenantId: tenantA, id: started.id }), 'experiment');
    }
    expect(state.statistics).toEqual({ championSamples: requests, challengerSamples: requests });
    for (const arm of state.arms) {
      const quality = arm.metrics.find((metric) => metric.metric === 'QUALITY')!;
      expect(quality.samples).toBe(requests);
      expect(quality.mean).toBeGreaterThanOrEqual(0);
      expect(quality.mean).toBeLessThanOrEqual(1);
      // The judge's calls are not the arm's traffic: its cost counts only the arm's own requests.
      expect(arm.metrics.find((metric) => metric.metric === 'COST')?.samples).toBe(requests);
    }
    await harness.request(adminA(), STOP, { input: { tenantId: tenantA, id: started.id } });
  });

  it('one running experiment per route; members read, only admins of the tenant change; ids are untrusted', async () => {
    await createRoute('guarded');
    const input = { tenantId: tenantA, routeName: 'guarded', challengerModel: 'mock-mini', mode: 'SPLIT', percent: 10 };
    const started = data<ExperimentReply>(await harness.request(adminA(), START, { input }), 'startExperiment');
    expect(errorCodes(await harness.request(adminA(), START, { input }))).toEqual(['EXPERIMENT_RUNNING']);
    expect(errorCodes(await harness.request(viewerA(), STOP, { input: { tenantId: tenantA, id: started.id } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(adminB(), STOP, { input: { tenantId: tenantA, id: started.id } }))).toEqual(['FORBIDDEN']);
    expect(errorCodes(await harness.request(adminB(), STOP, { input: { tenantId: tenantB, id: started.id } }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await harness.request(adminA(), STOP, { input: { tenantId: tenantA, id: 'not-a-uuid' } }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await harness.request(adminA(), START, { input: { ...input, routeName: 'nope' } }))).toEqual(['NOT_FOUND']);
    expect(errorCodes(await harness.request(adminA(), START, { input: { ...input, challengerModel: 'unknown-model' } }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await harness.request(adminA(), START, { input: { ...input, percent: 250 } }))).toEqual(['BAD_USER_INPUT']);
    expect(errorCodes(await harness.request(adminA(), CREATE, { input: { tenantId: tenantA, name: 'sneaky', definition: definition(['mock-gpt'], { experiment: {} }) } }))).toEqual([
      'BAD_USER_INPUT',
    ]);
    expect(data<ExperimentReply>(await harness.request(adminA(), STOP, { input: { tenantId: tenantA, id: started.id } }), 'stopExperiment').status).toBe('STOPPED');
    expect(errorCodes(await harness.request(adminA(), STOP, { input: { tenantId: tenantA, id: started.id } }))).toEqual(['EXPERIMENT_STATE']);
    const route = await routeState('guarded');
    expect(route.versions.map((v) => v.reason)).toEqual(['experiment.stop', 'experiment.start', 'create']);
  });
});
