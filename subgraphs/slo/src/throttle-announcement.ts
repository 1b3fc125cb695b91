import type { Bus } from '@switchyard/bus';
import { SLO_THROTTLE_CHANNEL, type SloThrottleMessage } from '@switchyard/events/slo';
import type { Logger } from './logger';

/**
 * Tells every data-plane replica to engage or release a route's throttle. Pub/sub, not a stream:
 * a replica that misses it (restarting) reads the engaged set from the database when it starts.
 */
export async function publishThrottle(bus: Pick<Bus, 'publish'>, message: SloThrottleMessage, logger: Logger): Promise<void> {
  await bus.publish(SLO_THROTTLE_CHANNEL, JSON.stringify(message)).catch((error: unknown) => {
    logger.error({ err: error instanceof Error ? error.message : String(error), ...message }, 'could not publish the SLO throttle');
  });
}
