import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { MAX_SIGNED_DELTA_BYTES, signedDeltaSchema, type SignedDelta } from './delta';
import type { FederatedStats } from './merge';
import type { DeltaPublisher } from './publisher';
import type { FederationReceiver, ReceiveOutcome } from './receiver';

/**
 * Transport between regions: HTTP pull. Each region's coordinator serves its own signed deltas at
 * `GET /federation/v1/deltas?since=<version>`; every peer polls it, asking for what comes after
 * the last version it applied. Pull makes catching up after a partition the normal path (the
 * first poll after the link heals asks from where it stopped), needs no cross-region bus (each
 * region's Redis stays its own failure domain) and no delivery state on the publisher. Signatures,
 * not the channel, make a delta trustworthy; the bearer token only keeps the stats private.
 */
export const DELTAS_PATH = '/federation/v1/deltas';
/** Most deltas per response; a poller keeps asking while it gets full pages. */
export const MAX_DELTAS_PER_PAGE = 100;

const sinceSchema = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
}

export function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export interface FederationHandlerOptions {
  region: string;
  publisher: DeltaPublisher;
  /** When set, peers must send `Authorization: Bearer <token>`. */
  token?: string | undefined;
}

/** Answers the federation path; returns false for any other path so a listener can serve more. */
export function handleFederationRequest(options: FederationHandlerOptions, request: IncomingMessage, response: ServerResponse): boolean {
  const since = admitFeedRequest(DELTAS_PATH, options.token, request, response);
  if (since === 'not_this_path') return false;
  if (since === 'answered') return true;
  sendJson(response, 200, { region: options.region, deltas: options.publisher.since(since, MAX_DELTAS_PER_PAGE) });
  return true;
}

/** A handler for more paths on the same listener (the config feed); false: not its path. */
export type FederationRequestHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * The coordinator's own listener (port 4500 by convention; tests use 0): the feeds, and the
 * probes. `/healthz`: the process answers. `/readyz`: 503 until `ready()` (subscribed to the
 * region's bus) and again from the moment it starts shutting down, so no peer or balancer keeps
 * sending it traffic while it stops.
 */
export function createFederationServer(options: FederationHandlerOptions & { ready?: () => boolean; also?: readonly FederationRequestHandler[] }): Server {
  return createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://federation.invalid').pathname;
    if (pathname === '/healthz') return sendJson(response, 200, { status: 'ok' });
    if (pathname === '/readyz') {
      const ready = options.ready?.() ?? true;
      return sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready' });
    }
    if (handleFederationRequest(options, request, response) || options.also?.some((handle) => handle(request, response))) return;
    sendJson(response, 404, { error: { code: 'not_found', message: 'Only the federation feeds, /healthz and /readyz are served here.' } });
  });
}

export interface FederationPeer {
  region: string;
  /** e.g. `https://federation.region-b.example.com` */
  baseUrl: string;
}

export type PeerPollResult = { region: string; ok: true; outcomes: Partial<Record<ReceiveOutcome, number>> } | { region: string; ok: false; error: string };

export interface FederationPoller {
  /** Fetches from every peer what came after the last version applied from it; never throws. */
  pollOnce(): Promise<PeerPollResult[]>;
}

export interface FederationPollerOptions {
  peers: readonly FederationPeer[];
  receiver: FederationReceiver;
  stats: Pick<FederatedStats, 'lastVersion'>;
  token?: string | undefined;
  /** Per request (default 5 s). */
  timeoutMs?: number;
  /** Pages per peer per poll (default 50): a long partition catches up over a few polls. */
  maxPages?: number;
  fetch?: typeof fetch;
}

export function createFederationPoller(options: FederationPollerOptions): FederationPoller {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const maxPages = options.maxPages ?? 50;

  const page = (peer: FederationPeer, since: number): Promise<SignedDelta[]> =>
    fetchDeltaPage({ fetch: doFetch, path: DELTAS_PATH, peer, since, token: options.token, timeoutMs, maxDeltas: MAX_DELTAS_PER_PAGE });

  const pollPeer = async (peer: FederationPeer): Promise<PeerPollResult> => {
    const outcomes: Partial<Record<ReceiveOutcome, number>> = {};
    try {
      for (let pages = 0; pages < maxPages; pages += 1) {
        const deltas = await page(peer, options.stats.lastVersion(peer.region));
        for (const delta of deltas) {
          const outcome = options.receiver.receive(delta);
          outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
        }
        // A short page is the end; so is a page that moved nothing forward (all refused).
        if (deltas.length < MAX_DELTAS_PER_PAGE || outcomes.applied === undefined) break;
      }
      return { region: peer.region, ok: true, outcomes };
    } catch (error) {
      return { region: peer.region, ok: false, error: error instanceof Error ? error.message : String(error) };
    }
  };

  return { pollOnce: () => Promise.all(options.peers.map(pollPeer)) };
}

/**
 * One page of a peer's feed (stats or config deltas) after `since`: bounded in time and size, no
 * redirects, the shape checked; signatures are the receiver's job. Throws what went wrong.
 */
export async function fetchDeltaPage(request: {
  fetch: typeof fetch;
  path: string;
  peer: FederationPeer;
  since: number;
  token: string | undefined;
  timeoutMs: number;
  maxDeltas: number;
}): Promise<SignedDelta[]> {
  const url = new URL(request.path, request.peer.baseUrl);
  url.searchParams.set('since', String(request.since));
  const response = await request.fetch(url, {
    headers: request.token === undefined ? {} : { authorization: `Bearer ${request.token}` },
    signal: AbortSignal.timeout(request.timeoutMs),
    redirect: 'error',
  });
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  const text = await response.text();
  if (text.length > request.maxDeltas * MAX_SIGNED_DELTA_BYTES) throw new Error('response too large');
  const parsed = z.object({ region: z.string(), deltas: z.array(signedDeltaSchema).max(request.maxDeltas) }).safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error('malformed response');
  return parsed.data.deltas;
}

/**
 * The checks every feed (stats and config deltas) makes before it reads: its path, GET, the
 * peers' bearer token, `since`. Answers what it refuses; the version to read after otherwise.
 */
export function admitFeedRequest(path: string, token: string | undefined, request: IncomingMessage, response: ServerResponse): number | 'not_this_path' | 'answered' {
  const url = new URL(request.url ?? '/', 'http://federation.invalid');
  if (url.pathname !== path) return 'not_this_path';
  if (request.method !== 'GET') {
    sendJson(response, 405, { error: { code: 'method_not_allowed', message: 'Use GET.' } });
    return 'answered';
  }
  if (token !== undefined && !bearerMatches(request.headers.authorization, token)) {
    sendJson(response, 401, { error: { code: 'unauthorized', message: 'Send the federation token as `Authorization: Bearer <token>`.' } });
    return 'answered';
  }
  const since = sinceSchema.safeParse(url.searchParams.get('since') ?? '0');
  if (!since.success) {
    sendJson(response, 400, { error: { code: 'invalid_since', message: '`since` must be a non-negative integer version.' } });
    return 'answered';
  }
  return since.data;
}
