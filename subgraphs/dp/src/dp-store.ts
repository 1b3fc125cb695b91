import { randomUUID } from 'node:crypto';
import type { Database, TenantTx } from '@switchyard/db';
import type { DpBudget, DpCharge } from './budget';
import { remainingMicros } from './budget';
import { dpError } from './errors';

/**
 * The only code of the dp subgraph that touches the database. Every tenant operation runs in one
 * `withTenant` transaction (row-level security), and every change of a budget's amounts is ONE
 * conditional UPDATE, so concurrent spenders in any number of processes can never pass the cap
 * (the table's CHECK constraint backs this up).
 */
export interface NewBudget {
  dataset: string;
  mode: DpBudget['mode'];
  capMicros: bigint;
  delta: number | null;
  alertThresholds: number[];
}

export interface BudgetEdit {
  capMicros?: bigint | undefined;
  alertThresholds?: number[] | undefined;
}

export interface ReserveRequest {
  budgetId: string;
  idempotencyKey: string;
  amountMicros: bigint;
  mechanism: string;
  expiresAt: Date;
}

/** What a noisy release charges and the noisy value it would publish (drawn only when needed). */
export interface NoisyReleasePlan {
  amountMicros: bigint;
  mechanism: string;
  drawNoisyValue(): bigint;
}

export interface BudgetChange {
  budget: DpBudget;
  /** spent + reserved before the change (to detect threshold crossings). */
  usedBefore: bigint;
}

export interface ChargeOutcome {
  charge: DpCharge;
  /** Null when the call replayed an earlier outcome and changed nothing. */
  change: BudgetChange | null;
}

export interface DpStore {
  createBudget(tenantId: string, budget: NewBudget): Promise<DpBudget>;
  /** Sets the cap and/or alert thresholds; a cap below what is spent or reserved is DP_CAP_BELOW_USED. */
  updateBudget(tenantId: string, budgetId: string, change: BudgetEdit): Promise<{ before: DpBudget; after: DpBudget }>;
  /** Deletes the budget and its charges; refused (DP_BUDGET_IN_USE) while a reservation is outstanding. */
  deleteBudget(tenantId: string, budgetId: string): Promise<DpBudget>;
  listBudgets(tenantId: string): Promise<DpBudget[]>;
  getBudget(tenantId: string, budgetId: string): Promise<DpBudget | null>;
  getCharge(tenantId: string, chargeId: string): Promise<DpCharge | null>;
  /** Tenant of a budget or charge, looked up across tenants (platform admins address objects by id). */
  tenantOfBudget(budgetId: string): Promise<string | null>;
  tenantOfCharge(chargeId: string): Promise<string | null>;
  reserve(tenantId: string, request: ReserveRequest): Promise<ChargeOutcome>;
  commit(tenantId: string, chargeId: string, now: Date): Promise<ChargeOutcome>;
  release(tenantId: string, chargeId: string): Promise<ChargeOutcome>;
  /** Charges, draws and stores the noisy value in one transaction; a replay returns the stored value. */
  releaseNoisy(tenantId: string, budgetId: string, idempotencyKey: string, plan: (budget: DpBudget) => NoisyReleasePlan): Promise<ChargeOutcome>;
  /** Releases reservations whose timeout passed (never ones with noise drawn); returns the changed budgets. */
  releaseExpired(now: Date, limit: number): Promise<BudgetChange[]>;
}

const budgetSelect = {
  id: true,
  tenantId: true,
  dataset: true,
  mode: true,
  capMicros: true,
  spentMicros: true,
  reservedMicros: true,
  delta: true,
  alertThresholds: true,
  createdAt: true,
} as const;

const chargeSelect = {
  id: true,
  budgetId: true,
  tenantId: true,
  idempotencyKey: true,
  amountMicros: true,
  mechanism: true,
  state: true,
  noiseDrawn: true,
  noisyValue: true,
  expiresAt: true,
  createdAt: true,
} as const;

async function readBudget(tx: TenantTx, budgetId: string): Promise<DpBudget | null> {
  return tx.dpBudget.findUnique({ where: { id: budgetId }, select: budgetSelect });
}

async function readCharge(tx: TenantTx, chargeId: string): Promise<DpCharge | null> {
  return tx.dpCharge.findUnique({ where: { id: chargeId }, select: chargeSelect });
}

/** Locks the charge row so commit, release and expiry of one charge serialize. */
async function lockCharge(tx: TenantTx, chargeId: string): Promise<DpCharge | null> {
  const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id"::text AS "id" FROM "dp_charges" WHERE "id" = ${chargeId}::uuid FOR UPDATE`;
  return locked.length === 0 ? null : readCharge(tx, chargeId);
}

/** Locks the budget row: an edit or delete waits for in-flight charges (their UPDATE holds it) and they wait for it. */
async function lockBudget(tx: TenantTx, budgetId: string): Promise<DpBudget> {
  await tx.$queryRaw<{ id: string }[]>`SELECT "id"::text AS "id" FROM "dp_budgets" WHERE "id" = ${budgetId}::uuid FOR UPDATE`;
  return mustReadBudget(tx, budgetId);
}

async function mustReadBudget(tx: TenantTx, budgetId: string): Promise<DpBudget> {
  const budget = await readBudget(tx, budgetId);
  if (!budget) throw dpError('NOT_FOUND', `No privacy budget ${budgetId} in this tenant.`);
  return budget;
}

/**
 * Adds `reservedDelta` and `spentDelta` to a budget in one statement, only if the result stays
 * within the cap; returns false (changing nothing) otherwise.
 */
async function adjustBudget(tx: TenantTx, budgetId: string, reservedDelta: bigint, spentDelta: bigint): Promise<boolean> {
  const updated = await tx.$queryRaw<{ id: string }[]>`
    UPDATE "dp_budgets"
       SET "reserved_micros" = "reserved_micros" + ${reservedDelta}, "spent_micros" = "spent_micros" + ${spentDelta}
     WHERE "id" = ${budgetId}::uuid
       AND "spent_micros" + "reserved_micros" + ${reservedDelta} + ${spentDelta} <= "cap_micros"
       AND "reserved_micros" + ${reservedDelta} >= 0
    RETURNING "id"::text AS "id"`;
  return updated.length === 1;
}

function exceeded(budget: DpBudget, amountMicros: bigint): Error {
  const remaining = remainingMicros(budget);
  return dpError('DP_BUDGET_EXCEEDED', `This charge of ${amountMicros} micro-units would pass the cap of budget "${budget.dataset}": only ${remaining} remain. Nothing was charged.`, {
    remainingMicros: remaining.toString(),
    requestedMicros: amountMicros.toString(),
  });
}

function sameRequest(charge: DpCharge, amountMicros: bigint, mechanism: string): void {
  if (charge.amountMicros !== amountMicros || charge.mechanism !== mechanism) {
    throw dpError('DP_IDEMPOTENCY_CONFLICT', `Idempotency key "${charge.idempotencyKey}" was already used for a different charge (${charge.amountMicros} micro-units, ${charge.mechanism}); use a new key.`);
  }
}

export function createDpStore(db: Database): DpStore {
  /** Inserts the charge unless its key exists; then applies the budget change atomically, or rolls all back. */
  async function chargeOnce(
    tx: TenantTx,
    tenantId: string,
    budget: DpBudget,
    row: { idempotencyKey: string; amountMicros: bigint; mechanism: string; expiresAt: Date; state: 'reserved' | 'committed'; noisyValue: string | null },
  ): Promise<ChargeOutcome> {
    const id = randomUUID();
    // ON CONFLICT DO NOTHING: a concurrent insert of the same key waits for the other
    // transaction, then inserts nothing, so exactly one caller charges.
    const inserted = await tx.dpCharge.createMany({
      data: [{
        id,
        budgetId: budget.id,
        tenantId,
        idempotencyKey: row.idempotencyKey,
        amountMicros: row.amountMicros,
        mechanism: row.mechanism,
        state: row.state,
        expiresAt: row.expiresAt,
        noiseDrawn: row.noisyValue !== null,
        noisyValue: row.noisyValue,
      }],
      skipDuplicates: true,
    });
    if (inserted.count === 0) {
      const existing = await tx.dpCharge.findUnique({ where: { budgetId_idempotencyKey: { budgetId: budget.id, idempotencyKey: row.idempotencyKey } }, select: chargeSelect });
      if (!existing) throw new Error('idempotency conflict without an existing charge');
      sameRequest(existing, row.amountMicros, row.mechanism);
      return { charge: existing, change: null };
    }
    const reservedDelta = row.state === 'reserved' ? row.amountMicros : 0n;
    const spentDelta = row.state === 'committed' ? row.amountMicros : 0n;
    if (!(await adjustBudget(tx, budget.id, reservedDelta, spentDelta))) {
      // Throwing rolls the charge row back: a rejected charge changes nothing.
      throw exceeded(await mustReadBudget(tx, budget.id), row.amountMicros);
    }
    const after = await mustReadBudget(tx, budget.id);
    const charge = await readCharge(tx, id);
    if (!charge) throw new Error('charge vanished inside its transaction');
    return { charge, change: { budget: after, usedBefore: after.spentMicros + after.reservedMicros - row.amountMicros } };
  }

  async function tenantOf(sql: 'budget' | 'charge', id: string): Promise<string | null> {
    const rows = await db.withPlatform((tx) =>
      sql === 'budget'
        ? tx.$queryRaw<{ tenant_id: string | null }[]>`SELECT switchyard_dp_budget_tenant(${id}::uuid)::text AS "tenant_id"`
        : tx.$queryRaw<{ tenant_id: string | null }[]>`SELECT switchyard_dp_charge_tenant(${id}::uuid)::text AS "tenant_id"`,
    );
    return rows[0]?.tenant_id ?? null;
  }

  return {
    createBudget(tenantId, budget) {
      return db.withTenant(tenantId, async (tx) => {
        const inserted = await tx.dpBudget.createMany({ data: [{ tenantId, ...budget }], skipDuplicates: true });
        if (inserted.count === 0) throw dpError('DP_BUDGET_EXISTS', `Dataset "${budget.dataset}" already has a privacy budget in this tenant.`);
        const created = await tx.dpBudget.findUnique({ where: { tenantId_dataset: { tenantId, dataset: budget.dataset } }, select: budgetSelect });
        if (!created) throw new Error('created budget not readable');
        return created;
      });
    },

    updateBudget(tenantId, budgetId, change) {
      return db.withTenant(tenantId, async (tx) => {
        const before = await lockBudget(tx, budgetId);
        const used = before.spentMicros + before.reservedMicros;
        if (change.capMicros !== undefined && change.capMicros < used) {
          throw dpError('DP_CAP_BELOW_USED', `The cap of "${before.dataset}" cannot go below what is already spent or reserved (${used} micro-units).`, { field: 'input.cap', usedMicros: used.toString() });
        }
        const after = await tx.dpBudget.update({
          where: { id: budgetId },
          data: { ...(change.capMicros !== undefined ? { capMicros: change.capMicros } : {}), ...(change.alertThresholds ? { alertThresholds: change.alertThresholds } : {}) },
          select: budgetSelect,
        });
        return { before, after };
      });
    },

    deleteBudget(tenantId, budgetId) {
      return db.withTenant(tenantId, async (tx) => {
        const budget = await lockBudget(tx, budgetId);
        if (budget.reservedMicros > 0n) {
          throw dpError('DP_BUDGET_IN_USE', `"${budget.dataset}" has ${budget.reservedMicros} micro-units reserved by charges not yet committed or released; settle them (or wait for their timeout) first.`);
        }
        // Its charges go with it (ON DELETE CASCADE).
        await tx.dpBudget.delete({ where: { id: budgetId } });
        return budget;
      });
    },

    listBudgets(tenantId) {
      return db.withTenant(tenantId, (tx) => tx.dpBudget.findMany({ where: { tenantId }, select: budgetSelect, orderBy: [{ dataset: 'asc' }] }));
    },

    getBudget(tenantId, budgetId) {
      return db.withTenant(tenantId, (tx) => readBudget(tx, budgetId));
    },

    getCharge(tenantId, chargeId) {
      return db.withTenant(tenantId, (tx) => readCharge(tx, chargeId));
    },

    tenantOfBudget: (budgetId) => tenantOf('budget', budgetId),
    tenantOfCharge: (chargeId) => tenantOf('charge', chargeId),

    reserve(tenantId, request) {
      return db.withTenant(tenantId, async (tx) => {
        const budget = await mustReadBudget(tx, request.budgetId);
        return chargeOnce(tx, tenantId, budget, { ...request, state: 'reserved', noisyValue: null });
      });
    },

    commit(tenantId, chargeId, now) {
      return db.withTenant(tenantId, async (tx) => {
        const charge = await lockCharge(tx, chargeId);
        if (!charge) throw dpError('NOT_FOUND', `No privacy charge ${chargeId} in this tenant.`);
        if (charge.state === 'committed') return { charge, change: null };
        if (charge.state === 'released') throw dpError('DP_CHARGE_NOT_RESERVED', 'This charge was released (or timed out); reserve again with a new idempotency key.');
        if (charge.expiresAt.getTime() <= now.getTime()) {
          throw dpError('DP_RESERVATION_EXPIRED', 'This reservation timed out and is being released; reserve again with a new idempotency key.');
        }
        const before = await mustReadBudget(tx, charge.budgetId);
        await tx.dpCharge.update({ where: { id: chargeId }, data: { state: 'committed' } });
        if (!(await adjustBudget(tx, charge.budgetId, -charge.amountMicros, charge.amountMicros))) throw new Error('commit would break the budget invariant');
        const after = await mustReadBudget(tx, charge.budgetId);
        return { charge: { ...charge, state: 'committed' }, change: { budget: after, usedBefore: before.spentMicros + before.reservedMicros } };
      });
    },

    release(tenantId, chargeId) {
      return db.withTenant(tenantId, async (tx) => {
        const charge = await lockCharge(tx, chargeId);
        if (!charge) throw dpError('NOT_FOUND', `No privacy charge ${chargeId} in this tenant.`);
        if (charge.noiseDrawn) throw dpError('DP_NOISE_DRAWN', 'Noise was drawn for this charge, so its budget is spent for good: nothing is refunded.');
        if (charge.state === 'released') return { charge, change: null };
        if (charge.state === 'committed') throw dpError('DP_CHARGE_NOT_RESERVED', 'This charge is committed; committed budget is never refunded.');
        const before = await mustReadBudget(tx, charge.budgetId);
        await tx.dpCharge.update({ where: { id: chargeId }, data: { state: 'released' } });
        if (!(await adjustBudget(tx, charge.budgetId, -charge.amountMicros, 0n))) throw new Error('release would break the budget invariant');
        const after = await mustReadBudget(tx, charge.budgetId);
        return { charge: { ...charge, state: 'released' }, change: { budget: after, usedBefore: before.spentMicros + before.reservedMicros } };
      });
    },

    releaseNoisy(tenantId, budgetId, idempotencyKey, plan) {
      return db.withTenant(tenantId, async (tx) => {
        const budget = await mustReadBudget(tx, budgetId);
        const existing = await tx.dpCharge.findUnique({ where: { budgetId_idempotencyKey: { budgetId, idempotencyKey } }, select: chargeSelect });
        const { amountMicros, mechanism, drawNoisyValue } = plan(budget);
        if (existing) {
          sameRequest(existing, amountMicros, mechanism);
          return { charge: existing, change: null };
        }
        // The value is drawn before it is stored, but it leaves this process only after the
        // transaction that spends the budget and records noise_drawn has committed.
        const noisyValue = drawNoisyValue().toString();
        return chargeOnce(tx, tenantId, budget, { idempotencyKey, amountMicros, mechanism, expiresAt: new Date(), state: 'committed', noisyValue });
      });
    },

    async releaseExpired(now, limit) {
      const expired = await db.withPlatform((tx) =>
        tx.$queryRaw<{ tenant_id: string; charge_id: string }[]>`SELECT "tenant_id"::text AS "tenant_id", "charge_id"::text AS "charge_id" FROM switchyard_dp_expired_reservations(${now}, ${limit}::integer)`,
      );
      const changes: BudgetChange[] = [];
      for (const { tenant_id: tenantId, charge_id: chargeId } of expired) {
        const change = await db.withTenant(tenantId, async (tx) => {
          const charge = await lockCharge(tx, chargeId);
          // Re-checked under the lock: a commit may have won the race.
          if (!charge || charge.state !== 'reserved' || charge.noiseDrawn || charge.expiresAt.getTime() > now.getTime()) return null;
          const before = await mustReadBudget(tx, charge.budgetId);
          await tx.dpCharge.update({ where: { id: chargeId }, data: { state: 'released' } });
          if (!(await adjustBudget(tx, charge.budgetId, -charge.amountMicros, 0n))) throw new Error('expiry would break the budget invariant');
          return { budget: await mustReadBudget(tx, charge.budgetId), usedBefore: before.spentMicros + before.reservedMicros };
        });
        if (change) changes.push(change);
      }
      return changes;
    },
  };
}
