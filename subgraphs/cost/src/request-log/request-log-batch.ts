import { requestLogEventSchema, type RequestLogEvent } from '@switchyard/events/request-log';
import type { StreamEntry } from '@switchyard/bus';

export interface TenantRequestLog {
  tenantId: string;
  entryIds: string[];
  events: RequestLogEvent[];
}

export interface RequestLogBatch {
  byTenant: TenantRequestLog[];
  rejected: { entryId: string; reason: string }[];
}

function parseEntry(entry: StreamEntry): RequestLogEvent | string {
  let json: unknown;
  try {
    json = JSON.parse(entry.payload);
  } catch {
    return 'payload is not JSON';
  }
  const result = requestLogEventSchema.safeParse(json);
  if (result.success) return result.data;
  return result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

/** Valid entries grouped per tenant (one RLS transaction each), and entries that can never be written. */
export function splitRequestLogBatch(entries: readonly StreamEntry[]): RequestLogBatch {
  const byTenant = new Map<string, TenantRequestLog>();
  const rejected: RequestLogBatch['rejected'] = [];
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') {
      rejected.push({ entryId: entry.id, reason: parsed });
      continue;
    }
    let group = byTenant.get(parsed.tenantId);
    if (!group) {
      group = { tenantId: parsed.tenantId, entryIds: [], events: [] };
      byTenant.set(parsed.tenantId, group);
    }
    group.entryIds.push(entry.id);
    group.events.push(parsed);
  }
  return { byTenant: [...byTenant.values()], rejected };
}

/** UTC days (YYYY-MM-DD) the events fall on: the partitions they need. */
export function partitionDaysOf(events: readonly Pick<RequestLogEvent, 'startedAt'>[]): string[] {
  return [...new Set(events.map((event) => event.startedAt.slice(0, 10)))].sort();
}
