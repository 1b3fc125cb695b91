import type { DataClassification } from '@switchyard/db/tenant-settings';
import type { SessionDocumentStore } from './store';

export interface RetentionSweep {
  /** Runs one sweep now (also what the timer runs); resolves with the documents deleted. */
  sweep(): Promise<number>;
  stop(): void;
}

/**
 * Deletes documents past their retention every `intervalMs` (every replica may run it: the delete
 * is one idempotent statement). A failed sweep is reported and retried at the next interval.
 */
export function startRetentionSweep(options: {
  store: Pick<SessionDocumentStore, 'expire'>;
  retentionDays: Readonly<Record<DataClassification, number>>;
  intervalMs: number;
  now?: () => Date;
  onSwept?: (deleted: number) => void;
  onError?: (error: unknown) => void;
}): RetentionSweep {
  const now = options.now ?? (() => new Date());
  let running: Promise<number> | undefined;
  const sweep = () =>
    (running ??= options.store
      .expire(now(), options.retentionDays)
      .then((deleted) => {
        options.onSwept?.(deleted);
        return deleted;
      })
      .finally(() => {
        running = undefined;
      }));
  const timer = options.intervalMs > 0 ? setInterval(() => void sweep().catch((error: unknown) => options.onError?.(error)), options.intervalMs) : undefined;
  timer?.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
