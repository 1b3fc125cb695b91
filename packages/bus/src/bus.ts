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

/** Where a consumer group stands on its stream (for lag metrics). */
export interface StreamGroupInfo {
  /** Entries appended that the group has not been handed yet; null when the store cannot tell (e.g. after trimming). */
  lag: number | null;
  /** Entries handed to a consumer of the group and not acked yet. */
  pending: number;
}

/**
 * True for the error a bus gives when the consumer group (or its stream) does not exist: Redis's
 * `NOGROUP` reply (e.g. after Redis restarted without persistence) or the in-process bus's
 * `NoSuchGroupError`. The consumer loop recreates the group when it sees one.
 */
export function isMissingGroupError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NoSuchGroupError' || error.message.startsWith('NOGROUP'));
}

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
  /** Lag and pending count of the group; null when the stream or the group does not exist. */
  groupInfo(stream: string, group: string): Promise<StreamGroupInfo | null>;

  close(): Promise<void>;
}
