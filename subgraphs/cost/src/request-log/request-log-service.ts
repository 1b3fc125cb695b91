import { z } from 'zod';
import type { Database } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import { canReadTenantCost } from '../authorization';
import { badUserInput, forbidden, invalidCursor } from '../errors';
import { parseInput } from '../parse-input';
import { decodeCursor, encodeCursor } from './request-log-cursor';
import { entryViewOf, latencyGroupsOf, spendGroupsOf, statsRange, STATS_WINDOWS, type LatencyGroup, type RequestLogEntryView, type SpendGroup, type StatsWindow } from './request-log-shape';
import { createRequestLogStore, type GroupBy, type RequestLogQuery, type SpendBy } from './request-log-store';

export const MAX_PAGE_SIZE = 100;
/** The widest time range one search may cover: a month of day partitions at most. */
const MAX_RANGE_MS = 31 * 86_400_000;
const DEFAULT_RANGE_MS = 86_400_000;

export interface RequestLogPage {
  entries: RequestLogEntryView[];
  endCursor: string | null;
  hasNextPage: boolean;
}

export interface PerformanceView {
  window: StatsWindow;
  by: 'ROUTE' | 'MODEL';
  bucketSeconds: number;
  groups: LatencyGroup[];
}

export interface SpendView {
  window: StatsWindow;
  by: 'API_KEY' | 'USER' | 'ROUTE';
  groups: (SpendGroup & { apiKey: { __typename: 'ApiKey'; id: string } | null })[];
}

export interface RequestLogService {
  search(tenantId: string, args: { filter?: unknown; first?: unknown; after?: unknown }, principal: Principal): Promise<RequestLogPage>;
  entry(tenantId: string, requestId: unknown, principal: Principal): Promise<RequestLogEntryView | null>;
  performance(tenantId: string, window: unknown, by: unknown, principal: Principal): Promise<PerformanceView>;
  spend(tenantId: string, window: unknown, by: unknown, principal: Principal): Promise<SpendView>;
}

const tenantIdSchema = z.string().uuid('Must be a tenant id (UUID).');
const filterSchema = z
  .object({
    from: z.date().nullish(),
    to: z.date().nullish(),
    apiKeyId: z.string().uuid('must be an API key id (UUID)').nullish(),
    userId: z.string().min(1).max(300).nullish(),
    route: z.string().min(1).max(256).nullish(),
    model: z.string().min(1).max(256).nullish(),
    status: z.number().int().min(100).max(599).nullish(),
    outcome: z.enum(['OK', 'ERROR', 'REFUSED']).nullish(),
    minLatencyMs: z.number().int().min(0).max(86_400_000).nullish(),
    minCostUsd: z.number().min(0).max(1_000_000).nullish(),
    traceId: z.string().regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex characters').nullish(),
  })
  .strict();
const firstSchema = z.number().int().min(1).max(MAX_PAGE_SIZE);
const requestIdSchema = z.string().min(1).max(200);
const windowSchema = z.enum(Object.keys(STATS_WINDOWS) as [StatsWindow, ...StatsWindow[]]);
const groupBySchema = z.enum(['ROUTE', 'MODEL']);
const spendBySchema = z.enum(['API_KEY', 'USER', 'ROUTE']);

const GROUP_BY: Record<PerformanceView['by'], GroupBy> = { ROUTE: 'route', MODEL: 'model' };
const SPEND_BY: Record<SpendView['by'], SpendBy> = { API_KEY: 'api_key', USER: 'user', ROUTE: 'route' };
const OUTCOME = { OK: 'ok', ERROR: 'error', REFUSED: 'refused' } as const;

/**
 * Individual requests (who called, with what, trace ids) are for the people who run the tenant's
 * traffic: its admins and operators, and platform admins. The aggregates (performance, spend) are
 * readable by whoever reads the tenant's cost.
 */
export function canReadRequestLog(principal: Principal, tenantId: string): boolean {
  if (principal.roles.includes('platform_admin')) return true;
  return principal.tenantId === tenantId && (principal.roles.includes('tenant_admin') || principal.roles.includes('operator'));
}

export function createRequestLogService(deps: { db: Database; now?: () => Date }): RequestLogService {
  const store = createRequestLogStore(deps.db);
  const now = deps.now ?? (() => new Date());

  function readableLog(tenantId: unknown, principal: Principal): string {
    const id = parseInput(tenantIdSchema, tenantId, 'tenantId');
    if (!canReadRequestLog(principal, id)) throw forbidden("Reading the request log needs the tenant_admin or operator role in this tenant.");
    return id;
  }
  function readableStats(tenantId: unknown, principal: Principal): string {
    const id = parseInput(tenantIdSchema, tenantId, 'tenantId');
    if (!canReadTenantCost(principal, id)) throw forbidden("You may only read your own tenant's performance and spend.");
    return id;
  }

  return {
    async search(tenantId, args, principal) {
      const id = readableLog(tenantId, principal);
      const filter = parseInput(filterSchema, args.filter ?? {}, 'filter');
      const first = parseInput(firstSchema, args.first ?? 50, 'first');
      let after;
      if (args.after !== undefined && args.after !== null) {
        after = typeof args.after === 'string' ? decodeCursor(args.after) : null;
        if (!after) throw invalidCursor();
      }
      const to = filter.to ?? new Date(now().getTime() + 60_000);
      const from = filter.from ?? new Date(to.getTime() - DEFAULT_RANGE_MS);
      if (from >= to) throw badUserInput('Invalid filter.from: it must be before filter.to.', 'filter.from');
      if (to.getTime() - from.getTime() > MAX_RANGE_MS) throw badUserInput('Invalid filter.from: one search spans at most 31 days.', 'filter.from');
      const query: RequestLogQuery = { from, to, limit: first };
      if (filter.apiKeyId) query.apiKeyId = filter.apiKeyId;
      if (filter.userId) query.userId = filter.userId;
      if (filter.route) query.route = filter.route;
      if (filter.model) query.model = filter.model;
      if (filter.status) query.status = filter.status;
      if (filter.outcome) query.outcome = OUTCOME[filter.outcome];
      if (filter.minLatencyMs !== undefined && filter.minLatencyMs !== null) query.minLatencyMs = filter.minLatencyMs;
      if (filter.minCostUsd !== undefined && filter.minCostUsd !== null) query.minCostMicros = BigInt(Math.ceil(filter.minCostUsd * 1_000_000));
      if (filter.traceId) query.traceId = filter.traceId;
      if (after) query.after = after;
      const rows = await store.list(id, query);
      const page = rows.slice(0, first);
      const last = page.at(-1);
      return {
        entries: page.map(entryViewOf),
        endCursor: last ? encodeCursor({ startedAt: last.startedAt, requestId: last.requestId }) : null,
        hasNextPage: rows.length > first,
      };
    },

    async entry(tenantId, requestId, principal) {
      const id = readableLog(tenantId, principal);
      const row = await store.get(id, parseInput(requestIdSchema, requestId, 'requestId'));
      return row ? entryViewOf(row) : null;
    },

    async performance(tenantId, window, by, principal) {
      const id = readableStats(tenantId, principal);
      const validWindow = parseInput(windowSchema, window, 'window');
      const validBy = parseInput(groupBySchema, by, 'by');
      const { from, to, bucketSeconds } = statsRange(validWindow, now());
      const groups = await store.latencyGroups(id, GROUP_BY[validBy], from, to);
      const buckets = await store.latencySeries(id, GROUP_BY[validBy], groups.map((group) => group.key), from, to, bucketSeconds);
      return { window: validWindow, by: validBy, bucketSeconds, groups: latencyGroupsOf(groups, buckets, from, to, bucketSeconds) };
    },

    async spend(tenantId, window, by, principal) {
      const id = readableStats(tenantId, principal);
      const validWindow = parseInput(windowSchema, window, 'window');
      const validBy = parseInput(spendBySchema, by, 'by');
      const { from, to } = statsRange(validWindow, now());
      const groups = spendGroupsOf(await store.spend(id, SPEND_BY[validBy], from, to));
      return {
        window: validWindow,
        by: validBy,
        groups: groups.map((group) => ({ ...group, apiKey: validBy === 'API_KEY' && group.key !== null ? { __typename: 'ApiKey' as const, id: group.key } : null })),
      };
    },
  };
}
