import { usageEventSchema, type UsageEvent } from '@switchyard/events/usage';
import type { StreamEntry } from '@switchyard/bus';

/** A batch of stream entries, split into valid events per tenant and entries that can never be processed. */
export interface TenantUsage {
  tenantId: string;
  entryIds: string[];
  events: UsageEvent[];
}

export interface RejectedEntry {
  entryId: string;
  reason: string;
}

export interface UsageBatch {
  byTenant: TenantUsage[];
  rejected: RejectedEntry[];
}

function parseEntry(entry: StreamEntry): UsageEvent | string {
  let json: unknown;
  try {
    json = JSON.parse(entry.payload);
  } catch {
    return 'payload is not JSON';
  }
  const result = usageEventSchema.safeParse(json);
  if (result.success) return result.data;
  return result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
}

export function splitUsageBatch(entries: readonly StreamEntry[]): UsageBatch {
  const byTenant = new Map<string, TenantUsage>();
  const rejected: RejectedEntry[] = [];
  for (const entry of entries) {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') {
      rejected.push({ entryId: entry.id, reason: parsed });
      continue;
    }
    let usage = byTenant.get(parsed.tenantId);
    if (!usage) {
      usage = { tenantId: parsed.tenantId, entryIds: [], events: [] };
      byTenant.set(parsed.tenantId, usage);
    }
    usage.entryIds.push(entry.id);
    usage.events.push(parsed);
  }
  return { byTenant: [...byTenant.values()], rejected };
}
