import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Bus, Unsubscribe } from '@switchyard/bus';
import { MAX_ROUTING_OBSERVATION_BATCH as MAX_BATCH, ROUTING_OBSERVED_CHANNEL, routingObservationBatchSchema, type RoutingObservation, type RoutingObservationBatch } from '@switchyard/events/routing';

/**
 * Bandit observations shared between data-plane replicas. Each replica applies its own at once
 * and publishes them, batched, on ROUTING_OBSERVED_CHANNEL; every other replica applies them to
 * its local posteriors, so all replicas learn from all of the traffic instead of 1/N of it.
 * Pub/sub is at most once: a lost batch costs a little evidence, never correctness.
 */
export interface RoutingObservationExchange {
  /** Queue one of this replica's observations for publishing; never blocks, never throws. */
  publish(observation: RoutingObservation): void;
  /** Publish what is queued now (close() and tests; otherwise a timer does it). */
  flush(): Promise<void>;
  /** `apply` receives every other replica's observations; this replica's own echoes are dropped. */
  subscribe(apply: (observation: RoutingObservation) => void): Promise<Unsubscribe>;
  /** Publishes what is still queued and stops the timer. */
  close(): Promise<void>;
}

export interface RoutingObservationExchangeOptions {
  bus: Bus;
  /** Unique per process (a UUID): echoes of this replica's own messages are recognised by it. */
  replicaId: string;
  logger: Logger;
  /** Queued observations leave at most this long after the first of them (default 100 ms). */
  flushMs?: number;
  onPublishFailed?: (dropped: number) => void;
}

export function createRoutingObservationExchange(options: RoutingObservationExchangeOptions): RoutingObservationExchange {
  const { bus, replicaId, logger } = options;
  const flushMs = options.flushMs ?? 100;
  let queued: RoutingObservation[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const inFlight = new Set<Promise<void>>();

  const send = (observations: RoutingObservation[]): Promise<void> => {
    const sending = bus
      .publish(ROUTING_OBSERVED_CHANNEL, JSON.stringify({ origin: replicaId, id: randomUUID(), observations } satisfies RoutingObservationBatch))
      .catch((error: unknown) => {
        options.onPublishFailed?.(observations.length);
        logger.warn({ err: error, dropped: observations.length }, 'routing observations not published; other replicas miss them');
      });
    inFlight.add(sending);
    void sending.finally(() => inFlight.delete(sending));
    return sending;
  };

  const flush = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = queued;
    queued = [];
    for (let at = 0; at < batch.length; at += MAX_BATCH) void send(batch.slice(at, at + MAX_BATCH));
    await Promise.all([...inFlight]);
  };

  return {
    publish(observation) {
      if (closed) return;
      queued.push(observation);
      if (queued.length >= MAX_BATCH) {
        void flush();
        return;
      }
      if (!timer) {
        timer = setTimeout(() => void flush(), flushMs);
        timer.unref();
      }
    },
    flush,
    async subscribe(apply) {
      return bus.subscribe(ROUTING_OBSERVED_CHANNEL, (message) => {
        const batch = parseBatch(message);
        if (!batch) {
          logger.warn('malformed routing observation batch ignored');
          return;
        }
        if (batch.origin === replicaId) return; // applied locally when it happened
        for (const observation of batch.observations) apply(observation);
      });
    },
    async close() {
      closed = true;
      await flush();
    },
  };
}

function parseBatch(message: string): RoutingObservationBatch | undefined {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return undefined;
  }
  const parsed = routingObservationBatchSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}
