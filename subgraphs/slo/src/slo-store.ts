import type { Database, TenantTx } from '@switchyard/db';
import { sloDefinitionSchema, type AlertState, type SloDefinition, type SloDraft } from '@switchyard/slo';

/** A stored SLO: its definition and who changed it last. */
export type SloRecord = SloDefinition & { version: number; updatedBy: string; updatedAt: Date };

export interface TransitionRecord {
  id: string;
  sloId: string;
  route: string;
  state: AlertState;
  previous: AlertState;
  throttle: 'engage' | 'release' | null;
  burnRates: { fast: number; slow: number };
  occurredAt: Date;
}

/** The latest transition of an SLO: its current state and the number the next one must take. */
export interface LatestState {
  seq: number;
  state: AlertState;
}

export type PutResult = { ok: true; slo: SloRecord } | { ok: false; reason: 'conflict'; currentVersion: number | null } | { ok: false; reason: 'limit' };

/** At most this many SLOs per tenant: the evaluator reads every SLO's counters each round. */
export const MAX_SLOS_PER_TENANT = 200;

export interface NewTransition {
  tenantId: string;
  sloId: string;
  seq: number;
  route: string;
  state: AlertState;
  previous: AlertState;
  throttle: 'engage' | 'release' | null;
  burnRates: { fast: number; slow: number };
  occurredAt: Date;
}

/** The only code of the SLO subgraph that touches the database. */
export interface SloStore {
  list(tenantId: string): Promise<SloRecord[]>;
  /** Creates (expectedVersion undefined) or replaces the SLO of (route, kind), bumping its version. */
  put(definition: SloDraft, expectedVersion: number | undefined, actor: string): Promise<PutResult>;
  remove(tenantId: string, id: string): Promise<SloRecord | null>;
  transitions(tenantId: string, limit: number): Promise<TransitionRecord[]>;
  latestStates(tenantId: string): Promise<Map<string, LatestState>>;
  /** Platform scope: every tenant's SLOs (the evaluator). */
  listAll(): Promise<SloRecord[]>;
  /** Platform scope: SLOs whose latest state is a page (the throttle a starting data plane applies). */
  engagedThrottles(): Promise<Array<{ tenantId: string; sloId: string; route: string }>>;
  /** Records a transition as number `seq`; false when another evaluator recorded that number first. */
  recordTransition(transition: NewTransition): Promise<boolean>;
}

const sloSelect = {
  id: true,
  tenantId: true,
  route: true,
  kind: true,
  objective: true,
  windowDays: true,
  thresholdMs: true,
  maxRegret: true,
  minSavingsPct: true,
  version: true,
  updatedBy: true,
  updatedAt: true,
} as const;

interface SloRow {
  id: string;
  tenantId: string;
  route: string;
  kind: string;
  objective: number;
  windowDays: number;
  thresholdMs: number | null;
  maxRegret: number | null;
  minSavingsPct: number | null;
  version: number;
  updatedBy: string;
  updatedAt: Date;
}

/** Rows are checked on the way out (the table's checks mirror the schema; this keeps the types honest). */
function toRecord(row: SloRow): SloRecord {
  const definition = sloDefinitionSchema.parse({
    id: row.id,
    tenantId: row.tenantId,
    route: row.route,
    kind: row.kind,
    objective: row.objective,
    windowDays: row.windowDays,
    ...(row.thresholdMs === null ? {} : { thresholdMs: row.thresholdMs }),
    ...(row.maxRegret === null ? {} : { maxRegret: row.maxRegret }),
    ...(row.minSavingsPct === null ? {} : { minSavingsPct: row.minSavingsPct }),
  });
  return { ...definition, version: row.version, updatedBy: row.updatedBy, updatedAt: row.updatedAt };
}

const STATES = new Set<string>(['ok', 'ticket', 'page']);
const asState = (value: string): AlertState => (STATES.has(value) ? (value as AlertState) : 'ok');

function thresholdColumns(definition: SloDraft) {
  return {
    thresholdMs: definition.kind === 'latency' ? definition.thresholdMs : null,
    maxRegret: definition.kind === 'quality' ? definition.maxRegret : null,
    minSavingsPct: definition.kind === 'cost' ? definition.minSavingsPct : null,
  };
}

function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  // P2002 is Prisma's unique-constraint code; 23505 is Postgres's, in case a driver error surfaces unmapped.
  return code === 'P2002' || code === '23505';
}

async function latestOf(tx: TenantTx, where: { tenantId?: string }) {
  const rows = await tx.sloTransition.findMany({
    where,
    distinct: ['sloId'],
    orderBy: [{ sloId: 'asc' }, { seq: 'desc' }],
    select: { sloId: true, tenantId: true, route: true, seq: true, state: true },
  });
  return rows;
}

export function createSloStore(db: Database): SloStore {
  return {
    async list(tenantId) {
      const rows = await db.withTenant(tenantId, (tx) => tx.slo.findMany({ where: { tenantId }, select: sloSelect, orderBy: [{ route: 'asc' }, { kind: 'asc' }] }));
      return rows.map(toRecord);
    },

    async put(definition, expectedVersion, actor) {
      const { tenantId, route, kind } = definition;
      const columns = { objective: definition.objective, windowDays: definition.windowDays, ...thresholdColumns(definition) };
      try {
        return await db.withTenant(tenantId, async (tx): Promise<PutResult> => {
          const current = await tx.slo.findUnique({ where: { tenantId_route_kind: { tenantId, route, kind } }, select: { id: true, version: true } });
          if (expectedVersion === undefined) {
            if (current) return { ok: false, reason: 'conflict', currentVersion: current.version };
            if ((await tx.slo.count({ where: { tenantId } })) >= MAX_SLOS_PER_TENANT) return { ok: false, reason: 'limit' };
            const row = await tx.slo.create({ data: { tenantId, route, kind, ...columns, createdBy: actor, updatedBy: actor }, select: sloSelect });
            return { ok: true, slo: toRecord(row) };
          }
          if (!current || current.version !== expectedVersion) return { ok: false, reason: 'conflict', currentVersion: current?.version ?? null };
          // Conditional on the version read: a concurrent writer that got there first makes this update nothing.
          const updated = await tx.slo.updateMany({
            where: { id: current.id, version: expectedVersion },
            data: { ...columns, version: { increment: 1 }, updatedBy: actor, updatedAt: new Date() },
          });
          if (updated.count === 0) return { ok: false, reason: 'conflict', currentVersion: null };
          const row = await tx.slo.findUniqueOrThrow({ where: { id: current.id }, select: sloSelect });
          return { ok: true, slo: toRecord(row) };
        });
      } catch (error) {
        // Two concurrent creates of one (route, kind): the loser sees the unique index.
        if (isUniqueViolation(error)) return { ok: false, reason: 'conflict', currentVersion: null };
        throw error;
      }
    },

    async remove(tenantId, id) {
      return db.withTenant(tenantId, async (tx) => {
        const row = await tx.slo.findFirst({ where: { id, tenantId }, select: sloSelect });
        if (!row) return null;
        await tx.slo.delete({ where: { id } });
        return toRecord(row);
      });
    },

    async transitions(tenantId, limit) {
      const rows = await db.withTenant(tenantId, (tx) =>
        tx.sloTransition.findMany({ where: { tenantId }, orderBy: [{ occurredAt: 'desc' }, { seq: 'desc' }], take: limit }),
      );
      return rows.map((row) => {
        const rates = (row.burnRates ?? {}) as { fast?: unknown; slow?: unknown };
        return {
          id: row.id,
          sloId: row.sloId,
          route: row.route,
          state: asState(row.state),
          previous: asState(row.previous),
          throttle: row.throttle === 'engage' || row.throttle === 'release' ? row.throttle : null,
          burnRates: { fast: typeof rates.fast === 'number' ? rates.fast : 0, slow: typeof rates.slow === 'number' ? rates.slow : 0 },
          occurredAt: row.occurredAt,
        };
      });
    },

    async latestStates(tenantId) {
      const rows = await db.withTenant(tenantId, (tx) => latestOf(tx, { tenantId }));
      return new Map(rows.map((row) => [row.sloId, { seq: row.seq, state: asState(row.state) }]));
    },

    async listAll() {
      const rows = await db.withPlatform((tx) => tx.slo.findMany({ select: sloSelect, orderBy: [{ tenantId: 'asc' }, { route: 'asc' }] }));
      return rows.map(toRecord);
    },

    async engagedThrottles() {
      const rows = await db.withPlatform((tx) => latestOf(tx, {}));
      return rows.filter((row) => row.state === 'page').map((row) => ({ tenantId: row.tenantId, sloId: row.sloId, route: row.route }));
    },

    async recordTransition(t) {
      try {
        await db.withTenant(t.tenantId, (tx) =>
          tx.sloTransition.create({
            data: {
              tenantId: t.tenantId,
              sloId: t.sloId,
              seq: t.seq,
              route: t.route,
              state: t.state,
              previous: t.previous,
              throttle: t.throttle,
              burnRates: t.burnRates,
              occurredAt: t.occurredAt,
            },
          }),
        );
        return true;
      } catch (error) {
        if (isUniqueViolation(error)) return false;
        throw error;
      }
    },
  };
}
