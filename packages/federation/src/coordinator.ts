import type { Server } from 'node:http';
import type { Bus, Unsubscribe } from '@switchyard/bus';
import { FEDERATION_VIEW_CHANNEL, federationViewMessage } from '@switchyard/events/federation';
import { ROUTING_OBSERVED_CHANNEL, routingObservationBatchSchema } from '@switchyard/events/routing';
import { createFederationPoller, createFederationServer, type FederationPeer, type FederationRequestHandler, type PeerPollResult } from './http';
import { createFederatedStats, type FederatedStats, type MergeOptions } from './merge';
import { createDeltaPublisher, type DeltaPublisher } from './publisher';
import { createFederationReceiver, type FederationReceiver } from './receiver';
import { buildFederationView } from './view';
import type { RegionKeyring, RegionSigningKey } from './signing';

export interface FederationCoordinatorConfig {
  region: string;
  signingKey: RegionSigningKey;
  /** The peers' public keys (and this region's, harmlessly: own deltas are skipped). */
  keyring: RegionKeyring;
  peers: readonly FederationPeer[];
  /** Bearer token peers present to each other; undefined: the endpoint is open (signatures still hold). */
  token?: string | undefined;
  /** How often this region's interval is cut and signed (default 5 s). */
  intervalMs?: number;
  /** How often every peer is polled (default 5 s). */
  pollMs?: number;
  /**
   * The routes whose stats leave the region: the platform's routes. A tenant's own route names
   * are its data and stay in its home region, whatever they measured.
   */
  federatedRoutes: ReadonlySet<string>;
  merge?: Partial<MergeOptions>;
  /** How long a data plane may use a published view after receiving it (default: 6 intervals, at least 30 s). */
  viewTtlMs?: number;
  /** A peer region silent for longer leaves the published view (default 15 min). */
  maxPeerSilenceMs?: number;
  /** More feeds on the same listener (the config feed, config-coordinator.ts). */
  also?: readonly FederationRequestHandler[];
}

export interface FederationCoordinatorBackends {
  /** The region's bus: its data planes publish `routing.observed` there, the coordinator publishes `federation.view`. */
  bus: Pick<Bus, 'subscribe' | 'publish'>;
  now?: () => number;
  onPoll?: (results: PeerPollResult[]) => void;
  /** Publishing the view on the bus failed (the next interval publishes it whole again). */
  onViewPublishFailed?: (error: unknown) => void;
}

export interface FederationCoordinator {
  /** Serves `GET /federation/v1/deltas` (the caller decides where it listens; 4500 by convention). */
  server: Server;
  stats: FederatedStats;
  publisher: DeltaPublisher;
  receiver: FederationReceiver;
  /** One interval now (tests; the timer does it otherwise). */
  cutOnce(): void;
  /** One poll of every peer now (tests; the timer does it otherwise); publishes the view when it applied something. */
  pollOnce(): Promise<PeerPollResult[]>;
  /** Publishes the merged view of the other regions on the region's bus now (tests; every interval otherwise). */
  publishView(): Promise<void>;
  /** What `/readyz` answers: subscribed to the region's bus and not closing. */
  ready(): boolean;
  close(): Promise<void>;
}

/**
 * The federation coordinator of one region (one per region): counts the region's routing
 * observations from its bus, signs one delta per interval, serves them to peers, polls the peers
 * and merges their deltas into {@link FederatedStats}. Built without listening, like every
 * deployable's composition root.
 */
export async function composeFederationCoordinator(config: FederationCoordinatorConfig, backends: FederationCoordinatorBackends): Promise<FederationCoordinator> {
  const now = backends.now ?? Date.now;
  const stats = createFederatedStats(config.region, config.merge);
  const receiver = createFederationReceiver(config.keyring, stats);
  const publisher = createDeltaPublisher({ key: config.signingKey });
  const poller = createFederationPoller({ peers: config.peers, receiver, stats, token: config.token });
  // Ready once subscribed to the region's bus (below), until close() begins.
  let ready = false;
  const server = createFederationServer({ region: config.region, publisher, token: config.token, ready: () => ready, also: config.also });

  const unsubscribe: Unsubscribe = await backends.bus.subscribe(ROUTING_OBSERVED_CHANNEL, (message) => {
    let json: unknown;
    try {
      json = JSON.parse(message);
    } catch {
      return;
    }
    const batch = routingObservationBatchSchema.safeParse(json);
    if (!batch.success) return;
    for (const observation of batch.data.observations) {
      // Both: the data plane says it was the platform's route (a tenant's own route of the same
      // name is the tenant's data and stays home), and this region shares that route.
      if (observation.platform !== true || !config.federatedRoutes.has(observation.route)) continue;
      if (observation.kind === 'outcome') publisher.record({ kind: 'outcome', route: observation.route, upstream: observation.upstream, success: observation.success, latencyMs: observation.latencyMs });
      else publisher.record({ kind: 'feedback', route: observation.route, upstream: observation.upstream, score: observation.score });
    }
  });

  // When each peer region last gave us a delta that applied (this coordinator's clock).
  const heardAt = new Map<string, number>();
  const intervalMs = config.intervalMs ?? 5_000;
  const viewTtlMs = config.viewTtlMs ?? Math.max(30_000, 6 * intervalMs);
  let viewVersion = 0;
  const publishView = async (): Promise<void> => {
    const at = now();
    // Like the deltas' versions: above the last one and the clock, so a restart never goes back.
    viewVersion = Math.max(viewVersion + 1, at);
    try {
      const view = buildFederationView(stats, {
        region: config.region,
        routes: config.federatedRoutes,
        version: viewVersion,
        now: at,
        ttlMs: viewTtlMs,
        heardAt: (region) => heardAt.get(region),
        maxSilenceMs: config.maxPeerSilenceMs ?? 15 * 60_000,
      });
      // Validated against the channel's schema before it leaves (throws on anything out of bounds).
      await backends.bus.publish(FEDERATION_VIEW_CHANNEL, federationViewMessage(view));
    } catch (error) {
      backends.onViewPublishFailed?.(error);
    }
  };

  let polling: Promise<PeerPollResult[]> | undefined;
  const pollOnce = () => {
    // One poll at a time: a slow peer must not pile polls up.
    polling ??= poller.pollOnce().then(async (results) => {
      const at = now();
      let applied = false;
      for (const result of results) {
        if (result.ok && (result.outcomes.applied ?? 0) > 0) {
          heardAt.set(result.region, at);
          applied = true;
        }
      }
      // New evidence reaches the data planes at once, not an interval later.
      if (applied) await publishView();
      backends.onPoll?.(results);
      return results;
    }).finally(() => {
      polling = undefined;
    });
    return polling;
  };
  ready = true;
  const cutTimer = setInterval(() => {
    publisher.cut(now());
    // The whole view every interval: a data plane that started or missed one is current after the next.
    void publishView();
  }, intervalMs);
  cutTimer.unref();
  const pollTimer = setInterval(() => void pollOnce(), config.pollMs ?? 5_000);
  pollTimer.unref();

  return {
    server,
    stats,
    publisher,
    receiver,
    cutOnce: () => void publisher.cut(now()),
    pollOnce,
    publishView,
    ready: () => ready,
    async close() {
      ready = false;
      clearInterval(cutTimer);
      clearInterval(pollTimer);
      await unsubscribe();
      await polling;
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
