import type { Metrics } from '../telemetry/metrics';
import { inStep } from '../telemetry/steps';

export type MemoryMetrics = Pick<Metrics, 'stepLatency' | 'memoryOperations' | 'memoryLatency' | 'memoryBytes'>;
export type MemoryOperation = 'search' | 'add' | 'list' | 'get' | 'delete';

/**
 * One vector memory operation as the request path's `memory_io` step: a span (attributes
 * `switchyard.memory.store`, `.operation`, `.outcome`), `switchyard_memory_operations_total` by
 * outcome (hit: it found or stored something; miss: nothing found; error) and
 * `switchyard_memory_io_duration_seconds`.
 */
export async function observeMemory<T>(metrics: MemoryMetrics, operation: MemoryOperation, fn: () => Promise<T>): Promise<T> {
  const stop = metrics.memoryLatency.startTimer({ store: 'vector', operation });
  return inStep(
    metrics,
    'memory_io',
    async (span) => {
      try {
        const result = await fn();
        const outcome = isMiss(result) ? 'miss' : 'hit';
        metrics.memoryOperations.inc({ store: 'vector', operation, outcome });
        span.setAttribute('switchyard.memory.outcome', outcome);
        return result;
      } catch (error) {
        metrics.memoryOperations.inc({ store: 'vector', operation, outcome: 'error' });
        throw error;
      } finally {
        stop();
      }
    },
    { 'switchyard.memory.store': 'vector', 'switchyard.memory.operation': operation },
  );
}

function isMiss(result: unknown): boolean {
  return result === null || result === false || (Array.isArray(result) && result.length === 0);
}
