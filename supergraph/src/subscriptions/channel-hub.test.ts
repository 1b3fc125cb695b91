import { createInProcessBus, type Bus } from '@switchyard/bus';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../logger';
import { createChannelHub } from './channel-hub';
import { SUBSCRIPTION_ROUTES } from './subscription-routes';

const route = SUBSCRIPTION_ROUTES['costUpdated']!;

function countingBus(inner: Bus): Bus & { subscribes: number } {
  const bus = Object.create(inner) as Bus & { subscribes: number };
  bus.subscribes = 0;
  bus.subscribe = (channel, onMessage) => {
    bus.subscribes += 1;
    return inner.subscribe(channel, onMessage);
  };
  return bus;
}

describe('channel hub', () => {
  it('holds one bus subscription per channel and fans events out by key', async () => {
    const inner = createInProcessBus();
    const bus = countingBus(inner);
    const hub = createChannelHub(bus, silentLogger);
    const seen: string[] = [];
    const stopA = await hub.listen(route, 't1', () => seen.push('a'));
    await hub.listen(route, 't1', () => seen.push('b'));
    await hub.listen(route, 't2', () => seen.push('c'));
    expect(bus.subscribes).toBe(1);

    await inner.publish(route.channel, JSON.stringify({ tenantId: 't1' }));
    await inner.publish(route.channel, 'garbage');
    await inner.publish(route.channel, JSON.stringify({ tenantId: 't3' }));
    stopA();
    await inner.publish(route.channel, JSON.stringify({ tenantId: 't1' }));
    await inner.publish(route.channel, JSON.stringify({ tenantId: 't2' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['a', 'b', 'b', 'c']);

    await hub.close();
    await inner.publish(route.channel, JSON.stringify({ tenantId: 't2' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toHaveLength(4);
    await inner.close();
  });

  it('isolates a failing listener and retries a bus subscription that failed', async () => {
    const inner = createInProcessBus();
    let failNext = true;
    const flaky: Bus = Object.create(inner) as Bus;
    flaky.subscribe = (channel, onMessage) => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('redis down'));
      }
      return inner.subscribe(channel, onMessage);
    };
    const hub = createChannelHub(flaky, silentLogger);
    await expect(hub.listen(route, 't1', () => undefined)).rejects.toThrow('redis down');
    let calls = 0;
    await hub.listen(route, 't1', () => {
      throw new Error('listener bug');
    });
    await hub.listen(route, 't1', () => (calls += 1));
    await inner.publish(route.channel, JSON.stringify({ tenantId: 't1' }));
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(1);
    await hub.close();
    await inner.close();
  });
});
