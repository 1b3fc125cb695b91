import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { SessionTurn, SessionWindow, StoredResponse } from './session-window';

/** The `memory_io` span's attributes (the request path's step 5, DESIGN.md §4). */
export const MEMORY_IO = {
  span: 'memory_io',
  operation: 'switchyard.memory.operation',
  store: 'switchyard.memory.store',
  hit: 'switchyard.memory.hit',
  bytes: 'switchyard.memory.bytes',
} as const;

export type MemoryOperation = 'put_response' | 'get_response' | 'delete_response' | 'append_turns' | 'recent_turns' | 'delete_session' | 'usage';

/** One session read or write, as metrics see it (`hit` only for reads). */
export interface MemoryIoObservation {
  operation: MemoryOperation;
  store: string;
  /** Reads: whether anything was found. */
  hit?: boolean;
  /** UTF-8 bytes read or written. */
  bytes: number;
  seconds: number;
  error: boolean;
}

const tracer = trace.getTracer('@switchyard/memory');

const bytesOfTurns = (turns: readonly SessionTurn[]): number => turns.reduce((sum, turn) => sum + Buffer.byteLength(turn.content) + turn.role.length, 0);
const bytesOfResponse = (response: StoredResponse | null): number => (response ? Buffer.byteLength(JSON.stringify(response)) : 0);

/**
 * Every call of `window` as a `memory_io` span (child of whatever span is active: the request's
 * step) and one observation for the metrics (`switchyard_memory_*` in the data plane). Only
 * `@opentelemetry/api`: without a registered SDK the spans are no-ops.
 */
export function instrumentSessionWindow(window: SessionWindow, observe: (observation: MemoryIoObservation) => void): SessionWindow {
  async function io<T>(operation: MemoryOperation, run: () => Promise<T>, measure: (result: T) => { hit?: boolean; bytes: number }): Promise<T> {
    const span = tracer.startSpan(MEMORY_IO.span, { attributes: { [MEMORY_IO.operation]: operation, [MEMORY_IO.store]: window.kind } });
    const started = performance.now();
    try {
      const result = await run();
      const { hit, bytes } = measure(result);
      if (hit !== undefined) span.setAttribute(MEMORY_IO.hit, hit);
      span.setAttribute(MEMORY_IO.bytes, bytes);
      observe({ operation, store: window.kind, bytes, seconds: (performance.now() - started) / 1000, error: false, ...(hit !== undefined ? { hit } : {}) });
      return result;
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      observe({ operation, store: window.kind, bytes: 0, seconds: (performance.now() - started) / 1000, error: true });
      throw error;
    } finally {
      span.end();
    }
  }

  return {
    kind: window.kind,
    putResponse: (tenantId, response) => io('put_response', () => window.putResponse(tenantId, response), () => ({ bytes: bytesOfResponse(response) })),
    getResponse: (tenantId, id) => io('get_response', () => window.getResponse(tenantId, id), (found) => ({ hit: found !== null, bytes: bytesOfResponse(found) })),
    deleteResponse: (tenantId, id) => io('delete_response', () => window.deleteResponse(tenantId, id), (existed) => ({ hit: existed, bytes: 0 })),
    appendTurns: (tenantId, sessionId, turns) => io('append_turns', () => window.appendTurns(tenantId, sessionId, turns), () => ({ bytes: bytesOfTurns(turns) })),
    recentTurns: (tenantId, sessionId, count) => io('recent_turns', () => window.recentTurns(tenantId, sessionId, count), (turns) => ({ hit: turns.length > 0, bytes: bytesOfTurns(turns) })),
    deleteSession: (tenantId, sessionId) => io('delete_session', () => window.deleteSession(tenantId, sessionId), (existed) => ({ hit: existed, bytes: 0 })),
    usage: (tenantId) => io('usage', () => window.usage(tenantId), () => ({ bytes: 0 })),
    close: () => window.close(),
  };
}
