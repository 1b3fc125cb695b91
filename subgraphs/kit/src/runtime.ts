import type http from 'node:http';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import type { InternalTokenVerifier } from '@switchyard/identity';
import type { Logger } from './logger';

/**
 * What a subgraph is built from, wherever it runs: its own process (`runSubgraph`) or `npm start`
 * (platform.ts). Each subgraph's `startXSubgraph(runtime, options)` takes it, so both run the same
 * subgraph with the same things beside it (consumers, ledgers, dispatchers).
 */
export interface SubgraphRuntime {
  db: Database;
  bus: Bus;
  /** Verifies the gateway's internal token for this subgraph's audience (`subgraph:<name>`). */
  verifyInternalToken: InternalTokenVerifier;
  logger: Logger;
  /**
   * SWITCHYARD_REGION: the region this admin plane runs in (DESIGN.md §10). Subgraphs that write a
   * tenant's replicated configuration refuse tenants homed in another region. Undefined: one region.
   */
  region?: string | undefined;
  /** The stream consumers' claim idle time (STREAM_CLAIM_IDLE_MS, config.ts); absent: each consumer's default (30 s). */
  streamClaimIdleMs?: number;
}

/** A built subgraph: its (not yet listening) server and how to stop it and whatever runs beside it. */
export interface StartedSubgraph {
  server: http.Server;
  /** Stops the subgraph and anything beside it (consumers, ledgers); the bus and database close after it. */
  close(): Promise<void>;
  /** Prometheus text for the operator metrics listener (never served on the subgraph's own port); absent: none. */
  metrics?: { readonly contentType: string; metrics(): Promise<string> };
  /** Extra fields for the "listening" log line. */
  listeningDetails?: Record<string, unknown>;
}
