import type { DpService } from './dp-service';
import type { Logger } from './logger';

export interface ExpiryJob {
  /** Runs one sweep now (tests; also what the timer does). */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Releases timed-out reservations every `intervalMs`. Safe with any number of replicas: each
 * release re-checks the charge under a row lock, so two sweepers never release one charge twice.
 */
export function startExpiryJob(deps: { service: DpService; logger: Logger; intervalMs?: number }): ExpiryJob {
  let running: Promise<number> | null = null;
  const sweep = (): Promise<number> => {
    running ??= deps.service.releaseExpired().finally(() => {
      running = null;
    });
    return running;
  };
  const timer = setInterval(() => {
    sweep().catch((error: unknown) => deps.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'dp reservation expiry sweep failed'));
  }, deps.intervalMs ?? 5_000);
  timer.unref();
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await running?.catch(() => 0);
    },
  };
}
