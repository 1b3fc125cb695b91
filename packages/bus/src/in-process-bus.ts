import type { Bus, ReadGroupOptions, StreamEntry, Unsubscribe } from './bus';

/**
 * The in-process bus: correct when every component runs in one Node process (the embedded
 * default). Mirrors Redis semantics: pub/sub is at-most-once to current subscribers, streams keep
 * entries pending per consumer group until acked, and stale pending entries can be claimed.
 */
export interface InProcessBusOptions {
  /** Milliseconds since the epoch; injectable so idle times can be tested without waiting. */
  clock?: () => number;
}

interface PendingEntry {
  consumer: string;
  deliveredAt: number;
}

interface ConsumerGroup {
  /** Index into `entries` of the next never-delivered entry. */
  nextIndex: number;
  pending: Map<string, PendingEntry>;
}

interface Stream {
  entries: StreamEntry[];
  byId: Map<string, StreamEntry>;
  groups: Map<string, ConsumerGroup>;
  lastMs: number;
  lastSeq: number;
  /** Blocked readers waiting for the next append. */
  waiters: Set<() => void>;
}

export class BusClosedError extends Error {
  constructor() {
    super('The bus is closed');
    this.name = 'BusClosedError';
  }
}

export class NoSuchGroupError extends Error {
  constructor(stream: string, group: string) {
    super(`Consumer group "${group}" does not exist on stream "${stream}"; call ensureGroup first`);
    this.name = 'NoSuchGroupError';
  }
}

export function createInProcessBus(options: InProcessBusOptions = {}): Bus {
  const clock = options.clock ?? Date.now;
  const channels = new Map<string, Set<(message: string) => void>>();
  const streams = new Map<string, Stream>();
  let closed = false;

  function assertOpen(): void {
    if (closed) throw new BusClosedError();
  }

  function streamFor(name: string): Stream {
    let stream = streams.get(name);
    if (!stream) {
      stream = { entries: [], byId: new Map(), groups: new Map(), lastMs: 0, lastSeq: 0, waiters: new Set() };
      streams.set(name, stream);
    }
    return stream;
  }

  function groupFor(streamName: string, groupName: string): { stream: Stream; group: ConsumerGroup } {
    const stream = streams.get(streamName);
    const group = stream?.groups.get(groupName);
    if (!stream || !group) throw new NoSuchGroupError(streamName, groupName);
    return { stream, group };
  }

  /** Redis-style `<ms>-<seq>` ids: monotonic even when the clock stalls or goes back. */
  function nextId(stream: Stream): string {
    const now = clock();
    if (now > stream.lastMs) {
      stream.lastMs = now;
      stream.lastSeq = 0;
    } else {
      stream.lastSeq += 1;
    }
    return `${stream.lastMs}-${stream.lastSeq}`;
  }

  function deliverNew(stream: Stream, group: ConsumerGroup, consumer: string, count: number): StreamEntry[] {
    const delivered = stream.entries.slice(group.nextIndex, group.nextIndex + count);
    group.nextIndex += delivered.length;
    const now = clock();
    for (const entry of delivered) group.pending.set(entry.id, { consumer, deliveredAt: now });
    return delivered.map((entry) => ({ ...entry }));
  }

  return {
    async publish(channel, message) {
      assertOpen();
      const handlers = channels.get(channel);
      if (!handlers) return;
      // Deliver asynchronously like a network bus would, so publishers never run subscriber code inline.
      for (const handler of [...handlers]) {
        queueMicrotask(() => {
          try {
            handler(message);
          } catch {
            // A failing subscriber must not affect the publisher or other subscribers.
          }
        });
      }
    },

    async subscribe(channel, onMessage): Promise<Unsubscribe> {
      assertOpen();
      let handlers = channels.get(channel);
      if (!handlers) {
        handlers = new Set();
        channels.set(channel, handlers);
      }
      // Wrap so the same function subscribed twice gets two independent subscriptions.
      const handler = (message: string): void => onMessage(message);
      handlers.add(handler);
      return async () => {
        const current = channels.get(channel);
        current?.delete(handler);
        if (current?.size === 0) channels.delete(channel);
      };
    },

    async append(streamName, payload) {
      assertOpen();
      const stream = streamFor(streamName);
      const entry: StreamEntry = { id: nextId(stream), payload };
      stream.entries.push(entry);
      stream.byId.set(entry.id, entry);
      const waiters = [...stream.waiters];
      stream.waiters.clear();
      for (const wake of waiters) wake();
      return entry.id;
    },

    async ensureGroup(streamName, groupName) {
      assertOpen();
      const stream = streamFor(streamName);
      if (!stream.groups.has(groupName)) stream.groups.set(groupName, { nextIndex: 0, pending: new Map() });
    },

    async readGroup(streamName, groupName, consumer, readOptions: ReadGroupOptions) {
      assertOpen();
      const { stream, group } = groupFor(streamName, groupName);
      const immediate = deliverNew(stream, group, consumer, readOptions.count);
      if (immediate.length > 0 || readOptions.blockMs <= 0) return immediate;
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer);
          stream.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, readOptions.blockMs);
        stream.waiters.add(wake);
      });
      if (closed) return [];
      return deliverNew(stream, group, consumer, readOptions.count);
    },

    async ack(streamName, groupName, ids) {
      assertOpen();
      const { group } = groupFor(streamName, groupName);
      for (const id of ids) group.pending.delete(id);
    },

    async claimStale(streamName, groupName, consumer, minIdleMs, count) {
      assertOpen();
      const { stream, group } = groupFor(streamName, groupName);
      const now = clock();
      const claimed: StreamEntry[] = [];
      // Map iteration is insertion order, and entries become pending in id order: oldest first, like XAUTOCLAIM.
      for (const [id, pending] of group.pending) {
        if (claimed.length >= count) break;
        if (now - pending.deliveredAt < minIdleMs) continue;
        const entry = stream.byId.get(id);
        if (!entry) continue;
        pending.consumer = consumer;
        pending.deliveredAt = now;
        claimed.push({ ...entry });
      }
      return claimed;
    },

    async groupInfo(streamName, groupName) {
      assertOpen();
      const group = streams.get(streamName)?.groups.get(groupName);
      const stream = streams.get(streamName);
      if (!stream || !group) return null;
      return { lag: stream.entries.length - group.nextIndex, pending: group.pending.size };
    },

    async close() {
      if (closed) return;
      closed = true;
      channels.clear();
      for (const stream of streams.values()) {
        for (const wake of [...stream.waiters]) wake();
      }
    },
  };
}
