import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createProviderRegistry } from '../adapters/provider-registry';
import type { Bus } from '@switchyard/bus';
import { createMetrics } from '../telemetry/metrics';
import { createBanditPosteriors, type BanditPosteriors } from './bandit-posteriors';
import type { FeedbackLog } from './feedback-log';
import { seededRandom } from './random';
import { parseRoutes, type Route } from './route';
import type { RouteTable } from './route-table';
import { createRouter, type Router } from './router';
import { createRoutingObservationExchange, type RoutingObservationExchange } from './routing-observations';
import type { RoutingObservation } from '@switchyard/events/routing';

/** What two replicas share: a bus each (one server) and a feedback log each (one store). */
export interface SharedBackends {
  busA: Bus;
  busB: Bus;
  logA: FeedbackLog;
  logB: FeedbackLog;
  close(): Promise<void>;
}

const TENANT = 't1';
const routeConfig = (candidates: string[]) => ({
  name: 'smart',
  candidates: candidates.map((model) => ({ model })),
  strategy: { kind: 'bandit', reward: { success: 1, latency: 0, cost: 0, quality: 1 } },
});

interface Replica {
  router: Router;
  posteriors: BanditPosteriors;
  exchange: RoutingObservationExchange;
  /** Resolves once this replica has applied `count` observations from other replicas. */
  received(count: number): Promise<void>;
  /** The tenant's route, replaceable as the experiments subgraph would. */
  setRoute(route: Route): void;
  /** Feedback-log writes started by `completed` (fire-and-forget in the router). */
  writes: Promise<void>[];
  close(): Promise<void>;
}

async function startReplica(id: string, bus: Bus, log: FeedbackLog): Promise<Replica> {
  let route = parseRoutes([routeConfig(['mock-gpt', 'mock-mini'])])[0]!;
  const routes: RouteTable = {
    get: (tenantId, name) => (tenantId === TENANT && name === route.name ? route : undefined),
    list: (tenantId) => (tenantId === TENANT ? [route] : []),
    defaults: () => [],
  };
  const writes: Promise<void>[] = [];
  const spiedLog: FeedbackLog = {
    remember(requestId, served) {
      const writing = log.remember(requestId, served);
      writes.push(writing.catch(() => undefined));
      return writing;
    },
    take: (requestId, tenantId) => log.take(requestId, tenantId),
  };
  const logger = pino({ level: 'silent' });
  const posteriors = createBanditPosteriors();
  const exchange = createRoutingObservationExchange({ bus, replicaId: id, logger });
  const router = createRouter({
    routes,
    providers: createProviderRegistry([{ name: 'mock', kind: 'mock', models: ['mock-gpt', 'mock-mini', 'mock-large'] }]),
    priceBook: { current: async () => null },
    metrics: createMetrics(),
    logger,
    random: seededRandom(7),
    feedbackLog: spiedLog,
    posteriors,
    observations: exchange,
  });
  const applied: RoutingObservation[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const unsubscribe = await exchange.subscribe((observation) => {
    router.observe(observation);
    applied.push(observation);
    for (const waiter of waiters.filter((w) => applied.length >= w.count)) waiter.resolve();
  });
  return {
    router,
    posteriors,
    exchange,
    writes,
    setRoute: (next) => {
      route = next;
    },
    received: (count) => (applied.length >= count ? Promise.resolve() : new Promise((resolve) => waiters.push({ count, resolve }))),
    async close() {
      await unsubscribe();
      await exchange.close();
    },
  };
}

/** Serves one request on `replica`: `failed` upstreams failed first, then `winner` answered (or did not). */
async function serve(replica: Replica, requestId: string, winner: string, success = true, failed: string[] = []): Promise<void> {
  const target = replica.router.resolve('smart', TENANT)!;
  const decision = await replica.router.decide(target);
  const upstream = decision.plan.upstreams.find((u) => u.key === winner)!;
  replica.router.completed(decision, {
    requestId,
    tenantId: TENANT,
    legs: failed.map((key) => ({ upstream: key, model: key.split('/')[1]!, outcome: 'failed' as const, attempts: 1, promptTokens: 0, completionTokens: 0 })),
    winner: { upstream, success, latencyMs: 120 },
  });
}

async function firstChoice(replica: Replica): Promise<string | undefined> {
  const decision = await replica.router.decide(replica.router.resolve('smart', TENANT)!);
  return decision.plan.upstreams[0]?.key;
}

/**
 * Two data-plane routers sharing one bus and one feedback store behave as one router would:
 * feedback reaches whichever replica gets it, and each bandit learns from both replicas' traffic.
 */
export function runReplicatedLearningContract(name: string, open: () => Promise<SharedBackends>): void {
  describe(`replicated routing state: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });
    const twoReplicas = async () => {
      const backends = await open();
      cleanups.push(() => backends.close());
      const a = await startReplica('replica-a', backends.busA, backends.logA);
      cleanups.push(() => a.close());
      const b = await startReplica('replica-b', backends.busB, backends.logB);
      cleanups.push(() => b.close());
      return { a, b };
    };

    it('accepts feedback on B for a request A served, once, and only from its tenant', async () => {
      const { a, b } = await twoReplicas();
      await serve(a, 'req-served-by-a', 'mock/mock-mini');
      await Promise.all(a.writes);
      expect(await b.router.feedback('req-served-by-a', 'someone-else', 1)).toBe(false);
      expect(await b.router.feedback('req-served-by-a', TENANT, 1)).toBe(true);
      expect(await b.router.feedback('req-served-by-a', TENANT, 1)).toBe(false);
      expect(await a.router.feedback('req-served-by-a', TENANT, 1)).toBe(false);
      expect(await b.router.feedback('never-served', TENANT, 1)).toBe(false);
    });

    it("B's bandit learns from A's traffic and feedback; A ignores its own echoes", async () => {
      const { a, b } = await twoReplicas();
      // With a fresh posterior the seeded draw puts mock-gpt first on B.
      expect(await firstChoice(b)).toBe('mock/mock-gpt');

      for (let i = 0; i < 20; i++) await serve(a, `req-${i}`, 'mock/mock-mini', true, ['mock/mock-gpt']);
      await a.exchange.flush();
      await b.received(40);
      const mini = { alpha: 1 + 20 * 0.5, beta: 1 };
      const gpt = { alpha: 1, beta: 1 + 20 * 0.5 };
      expect(b.posteriors.posterior(TENANT, 'smart', 'mock/mock-mini')).toEqual(mini);
      expect(b.posteriors.posterior(TENANT, 'smart', 'mock/mock-gpt')).toEqual(gpt);
      expect(await firstChoice(b)).toBe('mock/mock-mini');

      // Feedback B accepts reaches A's posterior; A's own 40 observations, echoed back to it, count once.
      await Promise.all(a.writes);
      expect(await b.router.feedback('req-0', TENANT, 0)).toBe(true);
      await b.exchange.flush();
      await a.received(1);
      expect(a.posteriors.posterior(TENANT, 'smart', 'mock/mock-mini')).toEqual({ alpha: mini.alpha, beta: mini.beta + 0.5 });
      expect(b.posteriors.posterior(TENANT, 'smart', 'mock/mock-mini')).toEqual({ alpha: mini.alpha, beta: mini.beta + 0.5 });
      expect(a.posteriors.posterior(TENANT, 'smart', 'mock/mock-gpt')).toEqual(gpt);
    });

    it('keeps what was learned about the remaining upstreams when the route is updated', async () => {
      const { a, b } = await twoReplicas();
      for (let i = 0; i < 20; i++) await serve(a, `req-${i}`, 'mock/mock-mini', true, ['mock/mock-gpt']);
      await a.exchange.flush();
      await b.received(40);
      const learned = b.posteriors.posterior(TENANT, 'smart', 'mock/mock-mini');

      b.setRoute(parseRoutes([routeConfig(['mock-large', 'mock-mini'])])[0]!);
      expect(b.posteriors.posterior(TENANT, 'smart', 'mock/mock-mini')).toEqual(learned);
      expect(b.posteriors.posterior(TENANT, 'smart', 'mock/mock-large')).toBeUndefined();
      // The rebuilt strategy adds to the kept posterior rather than starting from the prior.
      await serve(b, 'req-after-update', 'mock/mock-mini');
      expect(b.posteriors.posterior(TENANT, 'smart', 'mock/mock-mini')).toEqual({ alpha: learned!.alpha + 0.5, beta: learned!.beta });
    });
  });
}
