import { responseBytes, trimWindow } from './session-records';
import {
  DEFAULT_SESSION_WINDOW_LIMITS,
  SessionQuotaExceededError,
  type SessionTurn,
  type SessionWindow,
  type SessionWindowLimits,
  type StoredResponse,
  type TenantMemoryUsage,
} from './session-window';

export interface InProcessSessionWindowOptions {
  limits?: Partial<SessionWindowLimits>;
  /** Milliseconds; tests move time to expire entries. */
  now?: () => number;
}

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/**
 * The embedded default (one process serves every request, so process memory is the shared
 * state): the same limits, TTL and quota rules as Redis, kept in maps per tenant.
 */
export function createInProcessSessionWindow(options: InProcessSessionWindowOptions = {}): SessionWindow {
  const limits = { ...DEFAULT_SESSION_WINDOW_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const ttlMs = limits.ttlSeconds * 1000;
  const responses = new Map<string, Map<string, Expiring<{ response: StoredResponse; bytes: number }>>>();
  const windows = new Map<string, Map<string, Expiring<SessionTurn[]>>>();

  const tenantMap = <T>(maps: Map<string, Map<string, T>>, tenantId: string): Map<string, T> => {
    let map = maps.get(tenantId);
    if (!map) {
      map = new Map();
      maps.set(tenantId, map);
    }
    return map;
  };
  const live = <T>(map: Map<string, Expiring<T>> | undefined, key: string): T | undefined => {
    const entry = map?.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now()) {
      map!.delete(key);
      return undefined;
    }
    return entry.value;
  };
  // Per tenant: what its live responses add up to. Every response lives the same TTL from its last
  // write and a write moves it to the end of its map, so each map is in expiry order and expiring
  // is a walk from the front that stops at the first live entry.
  const totals = new Map<string, { responses: number; bytes: number }>();
  const usageOf = (tenantId: string): TenantMemoryUsage => {
    const map = responses.get(tenantId);
    const total = totals.get(tenantId) ?? { responses: 0, bytes: 0 };
    if (map) {
      const at = now();
      for (const [id, entry] of map) {
        if (entry.expiresAt > at) break;
        map.delete(id);
        total.responses -= 1;
        total.bytes -= entry.value.bytes;
      }
    }
    totals.set(tenantId, total);
    return { responses: total.responses, bytes: total.bytes };
  };

  return {
    kind: 'in-process',
    async putResponse(tenantId, response) {
      const bytes = responseBytes(response);
      const usage = usageOf(tenantId);
      const map = tenantMap(responses, tenantId);
      // usageOf dropped every expired response: whatever the map still has is live.
      const previous = map.get(response.id)?.value;
      const responsesAfter = usage.responses + (previous ? 0 : 1);
      const bytesAfter = usage.bytes - (previous?.bytes ?? 0) + bytes;
      if (responsesAfter > limits.maxResponsesPerTenant) throw new SessionQuotaExceededError('responses', usage, limits);
      if (bytesAfter > limits.maxBytesPerTenant) throw new SessionQuotaExceededError('bytes', usage, limits);
      map.delete(response.id);
      map.set(response.id, { value: { response, bytes }, expiresAt: now() + ttlMs });
      totals.set(tenantId, { responses: responsesAfter, bytes: bytesAfter });
    },
    async getResponse(tenantId, id) {
      // Not deleted here when expired: usageOf removes expired responses and keeps the totals right.
      const entry = responses.get(tenantId)?.get(id);
      return entry && entry.expiresAt > now() ? entry.value.response : null;
    },
    async deleteResponse(tenantId, id) {
      usageOf(tenantId);
      const map = responses.get(tenantId);
      const entry = map?.get(id);
      if (!map || !entry) return false;
      map.delete(id);
      const total = totals.get(tenantId)!;
      totals.set(tenantId, { responses: total.responses - 1, bytes: total.bytes - entry.value.bytes });
      return true;
    },
    async appendTurns(tenantId, sessionId, turns) {
      const map = tenantMap(windows, tenantId);
      const window = trimWindow([...(live(map, sessionId) ?? []), ...turns], limits);
      map.set(sessionId, { value: window, expiresAt: now() + ttlMs });
      return [...window];
    },
    async recentTurns(tenantId, sessionId, count) {
      if (count <= 0) return [];
      const window = live(windows.get(tenantId), sessionId) ?? [];
      return window.slice(-count);
    },
    async deleteSession(tenantId, sessionId) {
      const windowMap = windows.get(tenantId);
      let existed = live(windowMap, sessionId) !== undefined;
      windowMap?.delete(sessionId);
      // usageOf first drops expired responses (keeping the totals right); what is left is live.
      usageOf(tenantId);
      const map = responses.get(tenantId);
      for (const [id, entry] of map ?? []) {
        if (entry.value.response.sessionId !== sessionId) continue;
        existed = true;
        map!.delete(id);
        const total = totals.get(tenantId)!;
        totals.set(tenantId, { responses: total.responses - 1, bytes: total.bytes - entry.value.bytes });
      }
      return existed;
    },
    async usage(tenantId) {
      return usageOf(tenantId);
    },
    async close() {
      responses.clear();
      windows.clear();
      totals.clear();
    },
  };
}
