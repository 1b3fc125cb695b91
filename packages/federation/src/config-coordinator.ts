import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { createConfigPoller, handleConfigRequest, type ConfigPollResult } from './config-http';
import { drainConfigChanges, type ConfigOutboxOptions } from './config-outbox';
import { createConfigReceiver, type ConfigReceiver } from './config-receiver';
import type { SignedDelta } from './delta';
import type { FederationPeer } from './http';
import type { RegionKeyring, RegionSigningKey } from './signing';

export interface ConfigReplicationConfig {
  region: string;
  signingKey: RegionSigningKey;
  keyring: RegionKeyring;
  peers: readonly FederationPeer[];
  token?: string | undefined;
  /** The region that writes the platform's configuration (the price book); undefined: none is replicated. */
  platformWriter: string | undefined;
  /** How often captured changes are signed (default 1 s: a revoked key stops working elsewhere within seconds). */
  cutMs?: number;
  /** How often every peer's config feed is polled (default 2 s). */
  pollMs?: number;
}

export interface ConfigReplicationBackends {
  /** This region's database: the writer's outbox, the peers' cursors, where their deltas are applied. */
  db: Database;
  /** This region's bus: where applied changes are announced to its data planes. */
  bus: Pick<Bus, 'publish'>;
  now?: () => number;
  onPoll?: (results: ConfigPollResult[]) => void;
  onError?: (error: unknown) => void;
}

export interface ConfigReplication {
  /** Serves `GET /federation/v1/config`; false for other paths (mount it beside the stats feed). */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
  receiver: ConfigReceiver;
  /** Signs what is pending now (tests; the timer does it otherwise). */
  cutOnce(): Promise<SignedDelta[]>;
  /** Polls every peer now (tests; the timer does it otherwise). */
  pollOnce(): Promise<ConfigPollResult[]>;
  close(): Promise<void>;
}

/**
 * Replication of the configuration that must be global (DESIGN.md §10): this region publishes what
 * it writes, and applies what its peers write, each side on its own database. Part of the region's
 * federation coordinator; built without timers running ahead of it, like the stats side.
 */
export function composeConfigReplication(config: ConfigReplicationConfig, backends: ConfigReplicationBackends): ConfigReplication {
  const now = backends.now ?? Date.now;
  const outbox: ConfigOutboxOptions = { key: config.signingKey, platformWriter: config.platformWriter };
  const receiver = createConfigReceiver({ region: config.region, keyring: config.keyring, platformWriter: config.platformWriter, db: backends.db, bus: backends.bus, onPublishError: backends.onError });
  const poller = createConfigPoller({ peers: config.peers, receiver, db: backends.db, token: config.token });

  // One cut and one poll at a time: a slow database or peer must not pile them up.
  let cutting: Promise<SignedDelta[]> | undefined;
  const cutOnce = () =>
    (cutting ??= drainConfigChanges(backends.db, outbox, now).finally(() => {
      cutting = undefined;
    }));
  let polling: Promise<ConfigPollResult[]> | undefined;
  const pollOnce = () =>
    (polling ??= poller
      .pollOnce()
      .then((results) => {
        backends.onPoll?.(results);
        return results;
      })
      .finally(() => {
        polling = undefined;
      }));

  const cutTimer = setInterval(() => void cutOnce().catch((error: unknown) => backends.onError?.(error)), config.cutMs ?? 1_000);
  cutTimer.unref();
  const pollTimer = setInterval(() => void pollOnce(), config.pollMs ?? 2_000);
  pollTimer.unref();

  return {
    handle: (request, response) => handleConfigRequest({ region: config.region, db: backends.db, token: config.token, onError: backends.onError }, request, response),
    receiver,
    cutOnce,
    pollOnce,
    async close() {
      clearInterval(cutTimer);
      clearInterval(pollTimer);
      await Promise.allSettled([cutting, polling]);
    },
  };
}
