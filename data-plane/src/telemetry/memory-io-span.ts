import { SpanStatusCode, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('@switchyard/data-plane');

/** Which memory-fabric store and what was done to it (span attributes). */
export interface MemoryIo {
  store: 'session_documents';
  operation: 'read' | 'write' | 'delete' | 'watch';
}

/**
 * The request path's `memory_io` step (DESIGN.md §4): one internal span around a memory-fabric
 * read or write, a child of the request span. `bytesOf` names how much was moved, when known.
 */
export async function withMemoryIo<T>(io: MemoryIo, run: () => Promise<T>, bytesOf?: (result: T) => number | undefined): Promise<T> {
  return tracer.startActiveSpan('memory_io', { attributes: { 'switchyard.memory.store': io.store, 'switchyard.memory.operation': io.operation } }, async (span) => {
    try {
      const result = await run();
      const bytes = bytesOf?.(result);
      if (bytes !== undefined) span.setAttribute('switchyard.memory.bytes', bytes);
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      span.end();
    }
  });
}
