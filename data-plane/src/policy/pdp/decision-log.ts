import type { Database } from '@switchyard/db';
import type { PolicyRequest } from '../request';

/** One decision as logged for dry runs. */
export interface LoggedDecision {
  tenantId: string;
  request: PolicyRequest;
  decision: 'allow' | 'deny';
  determiningPolicies: readonly string[];
}

/** Port: the decision point hands decisions here; never awaited on the request path. */
export interface DecisionLog {
  record(entry: LoggedDecision): void;
  /** Writes what is buffered (shutdown, tests). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Port: durable storage of logged decisions, bounded per tenant. */
export interface DecisionLogWriter {
  write(entries: readonly LoggedDecision[]): Promise<void>;
}

export interface BufferedDecisionLogOptions {
  writer: DecisionLogWriter;
  /** Share of decisions logged, 0..1 (default 1). */
  sampleRate?: number;
  /** Buffered entries beyond this are dropped until the next flush (default 1000). */
  maxBuffered?: number;
  /** Default 1000 ms. */
  flushIntervalMs?: number;
  random?: () => number;
  onError?: (error: unknown) => void;
}

/**
 * Sampled, bounded, batched: the request path only pushes onto an array; a timer writes batches.
 * Losing log entries under overload is fine (they feed dry runs, not enforcement or audit).
 */
export function createBufferedDecisionLog(options: BufferedDecisionLogOptions): DecisionLog {
  const sampleRate = options.sampleRate ?? 1;
  const maxBuffered = options.maxBuffered ?? 1000;
  const random = options.random ?? Math.random;
  let buffer: LoggedDecision[] = [];
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (buffer.length === 0) return writing;
    const batch = buffer;
    buffer = [];
    writing = writing.then(() => options.writer.write(batch)).catch((error: unknown) => options.onError?.(error));
    return writing;
  };
  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 1000);
  timer.unref();

  return {
    record(entry) {
      if (buffer.length >= maxBuffered) return;
      if (sampleRate < 1 && random() >= sampleRate) return;
      buffer.push(entry);
    },
    flush,
    async close() {
      clearInterval(timer);
      await flush();
    },
  };
}

/**
 * Appends to `policy_decision_log` per tenant and keeps only the newest `keepPerTenant` rows.
 * Raw SQL, one JSON parameter per batch: through Prisma's query compiler a createMany of 100
 * decisions built and interpreted every row's JSON argument on the event loop, a 20–30 ms stall
 * once a second that the request path's p99 saw (issue 15); JSON.stringify is native and the
 * database unpacks the batch.
 */
export function createDatabaseDecisionLogWriter(db: Pick<Database, 'withTenant'>, keepPerTenant = 1000): DecisionLogWriter {
  const keepOffset = Math.max(0, keepPerTenant - 1);
  return {
    async write(entries) {
      const byTenant = new Map<string, LoggedDecision[]>();
      for (const entry of entries) {
        const list = byTenant.get(entry.tenantId) ?? [];
        list.push(entry);
        byTenant.set(entry.tenantId, list);
      }
      for (const [tenantId, list] of byTenant) {
        const rows = JSON.stringify(list.map((entry) => ({ r: entry.request, d: entry.decision, p: entry.determiningPolicies })));
        await db.withTenant(tenantId, async (tx) => {
          // In the batch's order (ids follow it): WITH ORDINALITY … ORDER BY.
          await tx.$executeRaw`
            INSERT INTO policy_decision_log (tenant_id, request, decision, determining_policies)
            SELECT ${tenantId}::uuid, e.value->'r', e.value->>'d', ARRAY(SELECT jsonb_array_elements_text(e.value->'p'))
            FROM jsonb_array_elements(${rows}::jsonb) WITH ORDINALITY AS e(value, n)
            ORDER BY e.n`;
          await tx.$executeRaw`
            DELETE FROM policy_decision_log
            WHERE tenant_id = ${tenantId}::uuid
              AND id < (SELECT id FROM policy_decision_log WHERE tenant_id = ${tenantId}::uuid ORDER BY id DESC OFFSET ${keepOffset} LIMIT 1)`;
        });
      }
    },
  };
}
