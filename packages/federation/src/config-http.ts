import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Database } from '@switchyard/db';
import { lastAppliedConfigVersion } from './config-apply';
import { configDeltasSince } from './config-outbox';
import type { ConfigReceiveOutcome, ConfigReceiver } from './config-receiver';
import type { SignedDelta } from './delta';
import { admitFeedRequest, fetchDeltaPage, sendJson, type FederationPeer } from './http';

/**
 * The config feed, beside the stats feed and pulled the same way: `GET /federation/v1/config?since=<version>`
 * serves this region's signed config deltas from its database (so they survive a coordinator
 * restart), and every peer asks for what follows the last version it applied (its cursor, also in
 * its database). A partitioned region catches up on its first poll after the link heals.
 */
export const CONFIG_PATH = '/federation/v1/config';
export const MAX_CONFIG_DELTAS_PER_PAGE = 20;


export interface ConfigHandlerOptions {
  region: string;
  db: Database;
  token?: string | undefined;
  onError?: (error: unknown) => void;
}

/** Answers the config path; false for any other path. */
export function handleConfigRequest(options: ConfigHandlerOptions, request: IncomingMessage, response: ServerResponse): boolean {
  const since = admitFeedRequest(CONFIG_PATH, options.token, request, response);
  if (since === 'not_this_path') return false;
  if (since === 'answered') return true;
  configDeltasSince(options.db, since, MAX_CONFIG_DELTAS_PER_PAGE).then(
    (deltas) => sendJson(response, 200, { region: options.region, deltas }),
    (error: unknown) => {
      options.onError?.(error);
      sendJson(response, 503, { error: { code: 'unavailable', message: 'The region database is not reachable; retry.' } });
    },
  );
  return true;
}

export type ConfigPollResult = { region: string; ok: true; outcomes: Partial<Record<ConfigReceiveOutcome, number>> } | { region: string; ok: false; error: string };

export interface ConfigPollerOptions {
  peers: readonly FederationPeer[];
  receiver: ConfigReceiver;
  db: Database;
  token?: string | undefined;
  timeoutMs?: number;
  maxPages?: number;
  fetch?: typeof fetch;
}

/** Fetches from every peer what came after the last version applied from it; never throws. */
export function createConfigPoller(options: ConfigPollerOptions): { pollOnce(): Promise<ConfigPollResult[]> } {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxPages = options.maxPages ?? 50;

  const page = (peer: FederationPeer, since: number): Promise<SignedDelta[]> =>
    fetchDeltaPage({ fetch: doFetch, path: CONFIG_PATH, peer, since, token: options.token, timeoutMs, maxDeltas: MAX_CONFIG_DELTAS_PER_PAGE });

  const pollPeer = async (peer: FederationPeer): Promise<ConfigPollResult> => {
    const outcomes: Partial<Record<ConfigReceiveOutcome, number>> = {};
    try {
      for (let pages = 0; pages < maxPages; pages += 1) {
        const before = outcomes.applied ?? 0;
        const deltas = await page(peer, await lastAppliedConfigVersion(options.db, peer.region));
        // In version order, one at a time: a delta is applied only after those before it.
        for (const delta of deltas) {
          const outcome = await options.receiver.receive(delta, peer.region);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        }
        if (deltas.length < MAX_CONFIG_DELTAS_PER_PAGE || (outcomes.applied ?? 0) === before) break;
      }
      return { region: peer.region, ok: true, outcomes };
    } catch (error) {
      return { region: peer.region, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  };

  return { pollOnce: () => Promise.all(options.peers.map(pollPeer)) };
}
