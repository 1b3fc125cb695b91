import type { Server } from 'node:http';
import type { Bus, Unsubscribe } from '@switchyard/bus';
import { ROUTING_OBSERVED_CHANNEL, routingObservationBatchSchema } from '@switchyard/events/routing';
import { createFederationPoller, createFederationServer, type FederationPeer, type FederationRequestHandler, type PeerPollResult } from './http';
import { createFederatedStats, type FederatedStats, type MergeOptions } from './merge';
import { createDeltaPublisher, type DeltaPublisher } from './publisher';
import { createFederationReceiver, type FederationReceiver } from './receiver';
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
  /** More feeds on the same listener (the config feed, config-coordinator.ts). */
  also?: readonly FederationRequestHandler[];
}

export interface FederationCoordinatorBackends {
  /** The region's bus, where its data planes publish `routing.observed`. */
  bus: Pick<Bus, 'subscribe'>;
  now?: () => number;
  onPoll?: (results: PeerPollResult[]) => void;
}

export interface FederationCoordinator {
  /** Serves `GET /federation/v1/deltas` (the caller decides where it listens; 4500 by convention). */
  server: Server;
  stats: FederatedStats;
  publisher: DeltaPublisher;
  receiver: FederationReceiver;
  /** One interval now (tests; the timer does it otherwise). */
  cutOnce(): void;
  /** One poll of every peer now (tests; the timer does it otherwise). */
  pollOnce(): Promise<PeerPollResult[]>;
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
  const server = createFederationServer({ region: config.region, publisher, token: config.token, also: config.also });

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
      if (!config.federatedRoutes.has(observation.route)) continue;
      if (observation.kind === 'outcome') publisher.record({ kind: 'outcome', route: observation.route, upstream: observation.upstream, success: observation.success, latencyMs: observation.latencyMs });
      else publisher.record({ kind: 'feedback', route: observation.route, upstream: observation.upstream, score: observation.score });
    }
  });

  let polling: Promise<PeerPollResult[]> | undefined;
  const pollOnce = () => {
    // One poll at a time: a slow peer must not pile polls up.
    polling ??= poller.pollOnce().then((results) => {
      backends.onPoll?.(results);
      return results;
    }).finally(() => {
      polling = undefined;
    });
    return polling;
  };
  const cutTimer = setInterval(() => publisher.cut(now()), config.intervalMs ?? 5_000);
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
    async close() {
      clearInterval(cutTimer);
      clearInterval(pollTimer);
      await unsubscribe();
      await polling;
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
