import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { type Bus, createInProcessBus } from '@switchyard/bus';
import { createRoutingObservationExchange } from './routing-observations';
import { ROUTING_OBSERVED_CHANNEL, type RoutingObservation } from '@switchyard/events/routing';

const logger = pino({ level: 'silent' });
const outcome = (upstream: string): RoutingObservation => ({ kind: 'outcome', tenantId: 't1', route: 'smart', upstream, success: true, latencyMs: 50 });

/** Every message published on the channel, in order, as parsed JSON. */
async function recordChannel(bus: Bus): Promise<{ origin: string; observations: RoutingObservation[] }[]> {
  const seen: { origin: string; observations: RoutingObservation[] }[] = [];
  await bus.subscribe(ROUTING_OBSERVED_CHANNEL, (message) => seen.push(JSON.parse(message) as (typeof seen)[number]));
  return seen;
}

describe('routing observation exchange', () => {
  it('batches observations into one message per flush, and applies only other replicas’ observations', async () => {
    const bus = createInProcessBus();
    const a = createRoutingObservationExchange({ bus, replicaId: 'a', logger, flushMs: 60_000 });
    const b = createRoutingObservationExchange({ bus, replicaId: 'b', logger, flushMs: 60_000 });
    const appliedByA: RoutingObservation[] = [];
    const appliedByB: RoutingObservation[] = [];
    await a.subscribe((o) => appliedByA.push(o));
    await b.subscribe((o) => appliedByB.push(o));
    const channel = await recordChannel(bus);

    a.publish(outcome('p/x'));
    a.publish({ kind: 'feedback', tenantId: 't1', route: 'smart', upstream: 'p/x', score: 0.25 });
    expect(channel).toHaveLength(0); // nothing leaves before the flush
    await a.flush();
    await Promise.resolve();
    expect(channel).toHaveLength(1);
    expect(channel[0]!.origin).toBe('a');
    expect(appliedByB).toEqual([outcome('p/x'), { kind: 'feedback', tenantId: 't1', route: 'smart', upstream: 'p/x', score: 0.25 }]);
    expect(appliedByA).toEqual([]);
    await Promise.all([a.close(), b.close(), bus.close()]);
  });

  it('publishes a full batch at once and caps every message at 100 observations', async () => {
    const bus = createInProcessBus();
    const channel = await recordChannel(bus);
    const a = createRoutingObservationExchange({ bus, replicaId: 'a', logger, flushMs: 60_000 });
    for (let i = 0; i < 250; i++) a.publish(outcome(`p/${i}`));
    await a.close();
    await Promise.resolve();
    expect(channel.map((m) => m.observations.length)).toEqual([100, 100, 50]);
    a.publish(outcome('p/late')); // after close: dropped, never throws
    await bus.close();
  });

  it('ignores malformed and hostile messages without affecting later ones', async () => {
    const bus = createInProcessBus();
    const b = createRoutingObservationExchange({ bus, replicaId: 'b', logger });
    const applied: RoutingObservation[] = [];
    await b.subscribe((o) => applied.push(o));
    const hostile = [
      'not json',
      JSON.stringify({ origin: 'a' }),
      JSON.stringify({ origin: 'a', observations: [{ ...outcome('p/x'), kind: 'other' }] }),
      JSON.stringify({ origin: 'a', observations: [{ kind: 'feedback', tenantId: 't1', route: 'smart', upstream: 'p/x', score: 7 }] }),
      JSON.stringify({ origin: 'a', observations: Array.from({ length: 101 }, () => outcome('p/x')) }),
      JSON.stringify({ origin: 'a', observations: [outcome('p/ok')] }),
    ];
    for (const message of hostile) await bus.publish(ROUTING_OBSERVED_CHANNEL, message);
    await Promise.resolve();
    expect(applied).toEqual([outcome('p/ok')]);
    await Promise.all([b.close(), bus.close()]);
  });

  it('counts a failed publish and never rejects to the caller', async () => {
    const failing: Bus = { ...createInProcessBus(), publish: () => Promise.reject(new Error('redis down')) };
    const dropped: number[] = [];
    const a = createRoutingObservationExchange({ bus: failing, replicaId: 'a', logger, onPublishFailed: (n) => dropped.push(n) });
    a.publish(outcome('p/x'));
    a.publish(outcome('p/y'));
    await a.flush();
    expect(dropped).toEqual([2]);
    await a.close();
  });
});
