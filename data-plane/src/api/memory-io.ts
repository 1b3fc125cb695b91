import type { Metrics } from '../telemetry/metrics';
import { inStep } from '../telemetry/steps';

export type MemoryMetrics = Pick<Metrics, 'stepLatency' | 'memoryOperations' | 'memoryLatency' | 'memoryBytes'>;
/** The memory fabric's stores this helper observes (the session window instruments itself: `window.kind`). */
export type MemoryStore = 'vector' | 'document';
export type MemoryOperation = 'search' | 'add' | 'list' | 'get' | 'delete' | 'read' | 'write' | 'watch';

export interface ObserveMemoryOptions<T> {
  /** Default `vector`. */
  store?: MemoryStore;
  /** Bytes the operation moved (span attribute and `switchyard_memory_bytes_total`), when known. */
  bytesOf?: (result: T) => number | undefined;
  /** Whether the result counts as a miss; default: null, false or an empty list. */
  isMiss?: (result: T) => boolean;
}

/**
 * One memory fabric operation (vector memory, session documents) as the request path's `memory_io`
 * step: a span (attributes `switchyard.memory.store`, `.operation`, `.outcome`, `.bytes`),
 * `switchyard_memory_operations_total` by outcome (hit: it found or stored something; miss:
 * nothing found or nothing stored; error), `switchyard_memory_bytes_total` and
 * `switchyard_memory_io_duration_seconds`, so every store counts in the same metrics.
 */
export async function observeMemory<T>(metrics: MemoryMetrics, operation: MemoryOperation, fn: () => Promise<T>, options: ObserveMemoryOptions<T> = {}): Promise<T> {
  const store = options.store ?? 'vector';
  const stop = metrics.memoryLatency.startTimer({ store, operation });
  return inStep(
    metrics,
    'memory_io',
    async (span) => {
      try {
        const result = await fn();
        const outcome = (options.isMiss ?? isMiss)(result) ? 'miss' : 'hit';
        metrics.memoryOperations.inc({ store, operation, outcome });
        span.setAttribute('switchyard.memory.outcome', outcome);
        const bytes = options.bytesOf?.(result);
        if (bytes !== undefined) {
          span.setAttribute('switchyard.memory.bytes', bytes);
          if (bytes > 0) metrics.memoryBytes.inc({ operation, store }, bytes);
        }
        return result;
      } catch (error) {
        metrics.memoryOperations.inc({ store, operation, outcome: 'error' });
        throw error;
      } finally {
        stop();
      }
    },
    { 'switchyard.memory.store': store, 'switchyard.memory.operation': operation },
  );
}

function isMiss(result: unknown): boolean {
  return result === null || result === false || (Array.isArray(result) && result.length === 0);
}
