import type { Bus, Unsubscribe } from '@switchyard/bus';
import type { Logger } from '../logger';
import type { SubscriptionRoute } from './subscription-routes';

type Listener = () => void;

interface ChannelState {
  /** Resolves once the one bus subscription for this channel is active. */
  active: Promise<Unsubscribe>;
  listenersByKey: Map<string, Set<Listener>>;
}

export interface ChannelHub {
  /** Calls `onEvent` for every event on the route's channel about `key`. Resolves once events flow. */
  listen(route: SubscriptionRoute, key: string, onEvent: Listener): Promise<() => void>;
  /** Number of live bus subscriptions (one per channel in use). */
  busSubscriptionCount(): number;
  close(): Promise<void>;
}

/**
 * One bus subscription per channel for the whole gateway instance, fanned out locally by event
 * key, so N browser subscriptions cost one Redis subscriber, not N.
 */
export function createChannelHub(bus: Bus, logger: Logger): ChannelHub {
  const channels = new Map<string, ChannelState>();

  function channelFor(route: SubscriptionRoute): ChannelState {
    const existing = channels.get(route.channel);
    if (existing) return existing;
    const listenersByKey = new Map<string, Set<Listener>>();
    const dispatch = (message: string) => {
      const key = route.eventKey(message);
      if (key === null) {
        logger.warn({ channel: route.channel }, 'ignoring a malformed bus event');
        return;
      }
      for (const listener of [...(listenersByKey.get(key) ?? [])]) {
        try {
          listener();
        } catch (error) {
          logger.error({ channel: route.channel, err: String(error) }, 'subscription listener failed');
        }
      }
    };
    const state: ChannelState = { active: bus.subscribe(route.channel, dispatch), listenersByKey };
    channels.set(route.channel, state);
    // A failed subscribe (bus down) is not cached: the next subscriber tries again.
    state.active.catch(() => {
      if (channels.get(route.channel) === state) channels.delete(route.channel);
    });
    return state;
  }

  return {
    async listen(route, key, onEvent) {
      const state = channelFor(route);
      const listeners = state.listenersByKey.get(key) ?? new Set<Listener>();
      state.listenersByKey.set(key, listeners);
      listeners.add(onEvent);
      const remove = () => {
        listeners.delete(onEvent);
        if (listeners.size === 0 && state.listenersByKey.get(key) === listeners) state.listenersByKey.delete(key);
      };
      try {
        await state.active;
      } catch (error) {
        remove();
        throw error;
      }
      return remove;
    },
    busSubscriptionCount: () => channels.size,
    async close() {
      const states = [...channels.values()];
      channels.clear();
      await Promise.allSettled(states.map(async (state) => (await state.active)()));
    },
  };
}
