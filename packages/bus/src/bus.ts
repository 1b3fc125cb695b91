/**
 * The bus port: fire-and-forget pub/sub for key-only change notifications, plus a
 * durable stream with consumer groups for events that must not be lost (usage, audit).
 * Implementations: Redis (ioredis, Redis Streams) and in-process. Both pass bus.contract.ts.
 */
export interface StreamEntry {
  /** Stream-assigned id, monotonically increasing within a stream. */
  id: string;
  /** Opaque payload (JSON text by convention). */
  payload: string;
}

export interface ReadGroupOptions {
  /** Maximum entries returned. */
  count: number;
  /** How long to wait for new entries when none are pending; 0 = do not block. */
  blockMs: number;
}

export type Unsubscribe = () => Promise<void>;

export interface Bus {
  /** Pub/sub: deliver to every current subscriber of `channel` (at most once). */
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<Unsubscribe>;

  /** Durable stream: append one entry; resolves with its id once stored. */
  append(stream: string, payload: string): Promise<string>;
  /** Create the consumer group if missing (idempotent); new groups start at the beginning. */
  ensureGroup(stream: string, group: string): Promise<void>;
  /** Read new entries for `consumer` in `group`; entries stay pending until acked. */
  readGroup(stream: string, group: string, consumer: string, options: ReadGroupOptions): Promise<StreamEntry[]>;
  /** Acknowledge processed entries. */
  ack(stream: string, group: string, ids: readonly string[]): Promise<void>;
  /**
   * Take over entries pending longer than `minIdleMs` from any consumer of the group
   * (crash recovery: a consumer that died mid-batch leaves its entries pending).
   */
  claimStale(stream: string, group: string, consumer: string, minIdleMs: number, count: number): Promise<StreamEntry[]>;

  close(): Promise<void>;
}
