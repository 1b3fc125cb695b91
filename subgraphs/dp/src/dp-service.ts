import type { Bus } from '@switchyard/bus';
import { PrivacyAccountingError, chargeFor, gaussianVariance, laplaceScale, sampleDiscreteGaussian, sampleDiscreteLaplace, type Mechanism, type RandomSource } from '@switchyard/ledger';
import { cryptoRandomSource } from '@switchyard/ledger/node';
import type { Database } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import { AUDIT_STREAM, type AuditEventInput } from '@switchyard/events/audit';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { canCreateBudgets, canReadBudgets, canSpendBudgets, isPlatformAdmin } from './authorization';
import { DEFAULT_ALERT_THRESHOLDS, crossedThresholds } from './budget';
import type { DpBudget, DpCharge } from './budget';
import { DP_BUDGET_CHANGED_CHANNEL, type DpBudgetChangedEvent } from '@switchyard/events/dp';
import { ALERTS_STREAM, type AlertEvent } from '@switchyard/events/alerts';
import {
  DEFAULT_TTL_SECONDS,
  createBudgetSchema,
  noisyReleaseSchema,
  parseAmount,
  parseInput,
  reserveSchema,
  updateBudgetSchema,
  uuidSchema,
} from './dp-input';
import { createDpStore } from './dp-store';
import type { BudgetChange, ChargeOutcome } from './dp-store';
import { dpError, forbidden } from './errors';
import type { Logger } from './logger';
import type { DpMetrics } from './metrics';

/** Authorization, validation and coordination (store, noise, bus event, metric) of the privacy ledger. */
export interface DpService {
  listBudgets(tenantId: string, principal: Principal): Promise<DpBudget[]>;
  getBudget(budgetId: string, principal: Principal): Promise<DpBudget | null>;
  createBudget(input: unknown, principal: Principal): Promise<DpBudget>;
  updateBudget(input: unknown, principal: Principal): Promise<DpBudget>;
  /** Returns the budget as it was. */
  deleteBudget(budgetId: string, principal: Principal): Promise<DpBudget>;
  reserve(input: unknown, principal: Principal): Promise<DpCharge>;
  commit(chargeId: string, principal: Principal): Promise<DpCharge>;
  release(chargeId: string, principal: Principal): Promise<DpCharge>;
  releaseNoisyAggregate(input: unknown, principal: Principal): Promise<NoisyRelease>;
  /** Releases timed-out reservations (the expiry job calls this); returns how many. */
  releaseExpired(limit?: number): Promise<number>;
}

export interface NoisyRelease {
  noisyValue: bigint;
  charge: DpCharge;
  budget: DpBudget;
  /** False when the answer replays an earlier release with the same idempotency key. */
  fresh: boolean;
}

export interface DpServiceDeps {
  db: Database;
  bus: Bus;
  metrics: DpMetrics;
  logger: Logger;
  /** Exact noise randomness; cryptographic unless a test seeds it. */
  random?: RandomSource;
  now?: () => Date;
}

function accountingError(error: unknown): never {
  if (error instanceof PrivacyAccountingError) {
    throw dpError(error.code === 'MECHANISM_NOT_ALLOWED' ? 'DP_MECHANISM_NOT_ALLOWED' : 'DP_INVALID_AMOUNT', error.message);
  }
  throw error;
}

export function createDpService(deps: DpServiceDeps): DpService {
  const store = createDpStore(deps.db);
  const random = deps.random ?? cryptoRandomSource;
  const now = deps.now ?? (() => new Date());

  /** Key-only event + gauge after a change. Never fails the caller: the change is already durable. */
  async function announce(change: BudgetChange | null, budget?: DpBudget): Promise<void> {
    const current = change?.budget ?? budget;
    if (!current) return;
    deps.metrics.observe(current);
    const crossed = change ? crossedThresholds(current.alertThresholds, current.capMicros, change.usedBefore, current.spentMicros + current.reservedMicros) : [];
    const event: DpBudgetChangedEvent = { tenantId: current.tenantId, budgetId: current.id, thresholdCrossed: crossed.length > 0, crossedThresholds: crossed };
    if (crossed.length > 0) {
      deps.logger.warn({ ...event, dataset: current.dataset }, 'privacy budget alert threshold crossed');
      const usedMicros = current.spentMicros + current.reservedMicros;
      const alert: AlertEvent = {
        // One occurrence: the same budget crossing the same thresholds at the same level.
        id: `dp-threshold:${current.id}:${crossed.join('-')}:${usedMicros}`,
        type: 'dp.budget.threshold_crossed',
        tenantId: current.tenantId,
        occurredAt: now().toISOString(),
        data: { budgetId: current.id, dataset: current.dataset, thresholdsPercent: crossed, capMicros: current.capMicros.toString(), usedMicros: usedMicros.toString() },
      };
      // For the tenant's alert webhook (delivered by the tenants domain); durable once appended.
      await deps.bus.append(ALERTS_STREAM, JSON.stringify(alert)).catch((error: unknown) => {
        deps.logger.error({ err: error instanceof Error ? error.message : String(error), budgetId: current.id }, 'could not queue the budget alert for the webhook');
      });
    }
    await deps.bus.publish(DP_BUDGET_CHANGED_CHANNEL, JSON.stringify(event)).catch((error: unknown) => {
      deps.logger.error({ err: error instanceof Error ? error.message : String(error), budgetId: current.id }, 'could not publish dp budget change');
    });
  }

  /** The tenant an object id belongs to, as far as this caller may know. */
  async function tenantFor(kind: 'budget' | 'charge', id: string, principal: Principal): Promise<string> {
    if (isPlatformAdmin(principal)) {
      const tenantId = kind === 'budget' ? await store.tenantOfBudget(id) : await store.tenantOfCharge(id);
      if (!tenantId) throw dpError('NOT_FOUND', `No privacy ${kind} ${id}.`);
      return tenantId;
    }
    // Tenant callers only ever look inside their own tenant: RLS makes another tenant's id NOT_FOUND.
    if (!principal.tenantId) throw forbidden('Your account belongs to no tenant.');
    return principal.tenantId;
  }

  /** Editing and deleting take what creating takes: tenant_admin of the budget's tenant (or a platform admin). */
  async function managingTenant(budgetId: string, principal: Principal): Promise<string> {
    const tenantId = await tenantFor('budget', budgetId, principal);
    if (!canCreateBudgets(principal, tenantId)) throw forbidden('Changing privacy budgets needs the tenant_admin role in this tenant.');
    return tenantId;
  }

  async function spendingTenant(kind: 'budget' | 'charge', id: string, principal: Principal): Promise<string> {
    const tenantId = await tenantFor(kind, id, principal);
    if (!canSpendBudgets(principal, tenantId)) throw forbidden('Spending privacy budget needs the tenant_admin or operator role in this tenant.');
    return tenantId;
  }

  /**
   * Budget changes are security-relevant: each goes to the audit ledger's durable stream
   * (idempotent by key there). The change is already committed, so a failed append is logged,
   * not thrown back at the caller.
   */
  async function audit(action: string, tenantId: string, principal: Principal, key: string, payload: Record<string, string>): Promise<void> {
    const event: AuditEventInput = {
      idempotencyKey: `${action}:${key}`,
      tenantId,
      actor: auditActor(principal),
      action,
      dataClassification: 'internal',
      payload,
      occurredAt: now().toISOString(),
    };
    await deps.bus.append(AUDIT_STREAM, JSON.stringify(event)).catch((error: unknown) => {
      deps.logger.error({ err: error instanceof Error ? error.message : String(error), action, key }, 'could not append a privacy-budget audit event');
    });
  }

  const chargeDetails = (charge: DpCharge): Record<string, string> => ({
    budgetId: charge.budgetId,
    chargeId: charge.id,
    amountMicros: charge.amountMicros.toString(),
    mechanism: charge.mechanism,
    state: charge.state,
  });

  async function afterCharge(outcome: ChargeOutcome, action: string, principal: Principal): Promise<DpCharge> {
    await announce(outcome.change);
    await audit(action, outcome.charge.tenantId, principal, outcome.charge.id, chargeDetails(outcome.charge));
    return outcome.charge;
  }

  return {
    async listBudgets(tenantId, principal) {
      const valid = parseInput(uuidSchema, tenantId, 'tenantId');
      if (!canReadBudgets(principal, valid)) throw forbidden("You may only read your own tenant's privacy budgets.");
      const budgets = await store.listBudgets(valid);
      for (const budget of budgets) deps.metrics.observe(budget);
      return budgets;
    },

    async getBudget(budgetId, principal) {
      const valid = parseInput(uuidSchema, budgetId, 'id');
      const tenantId = await tenantFor('budget', valid, principal).catch((error: unknown) => {
        if (error instanceof Error && 'extensions' in error && (error as { extensions: { code?: unknown } }).extensions.code === 'NOT_FOUND') return null;
        throw error;
      });
      if (tenantId === null) return null;
      if (!canReadBudgets(principal, tenantId)) throw forbidden("You may only read your own tenant's privacy budgets.");
      return store.getBudget(tenantId, valid);
    },

    async createBudget(input, principal) {
      const valid = parseInput(createBudgetSchema, input, 'input');
      if (!canCreateBudgets(principal, valid.tenantId)) throw forbidden('Creating privacy budgets needs the tenant_admin role in this tenant.');
      const budget = await store.createBudget(valid.tenantId, {
        dataset: valid.dataset,
        mode: valid.mode === 'ZCDP' ? 'zcdp' : 'pure_epsilon',
        capMicros: parseAmount(valid.cap, 'cap'),
        delta: valid.delta ?? null,
        alertThresholds: [...(valid.alertThresholds ?? DEFAULT_ALERT_THRESHOLDS)].sort((a, b) => a - b),
      });
      await announce(null, budget);
      await audit('dp_budget.create', budget.tenantId, principal, budget.id, {
        budgetId: budget.id,
        dataset: budget.dataset,
        mode: budget.mode,
        capMicros: budget.capMicros.toString(),
      });
      return budget;
    },

    async updateBudget(input, principal) {
      const valid = parseInput(updateBudgetSchema, input, 'input');
      const capMicros = valid.cap ? parseAmount(valid.cap, 'cap') : undefined;
      const tenantId = await managingTenant(valid.id, principal);
      const thresholds = valid.alertThresholds ? [...valid.alertThresholds].sort((a, b) => a - b) : undefined;
      const { before, after } = await store.updateBudget(tenantId, valid.id, { capMicros, alertThresholds: thresholds });
      await announce(null, after);
      // Keyed by the resulting state: a retried edit is one audit entry; a later different edit is another.
      await audit('dp_budget.update', tenantId, principal, `${after.id}:${after.capMicros}:${after.alertThresholds.join('-')}:${before.capMicros}:${before.alertThresholds.join('-')}`, {
        budgetId: after.id,
        dataset: after.dataset,
        capMicrosBefore: before.capMicros.toString(),
        capMicros: after.capMicros.toString(),
        alertThresholdsBefore: before.alertThresholds.join(','),
        alertThresholds: after.alertThresholds.join(','),
      });
      return after;
    },

    async deleteBudget(budgetId, principal) {
      const valid = parseInput(uuidSchema, budgetId, 'id');
      const tenantId = await managingTenant(valid, principal);
      const deleted = await store.deleteBudget(tenantId, valid);
      deps.metrics.forget(deleted);
      const event: DpBudgetChangedEvent = { tenantId, budgetId: deleted.id, thresholdCrossed: false, crossedThresholds: [] };
      await deps.bus.publish(DP_BUDGET_CHANGED_CHANNEL, JSON.stringify(event)).catch((error: unknown) => {
        deps.logger.error({ err: error instanceof Error ? error.message : String(error), budgetId: deleted.id }, 'could not publish dp budget change');
      });
      // What was spent is in the audit log for good, though the budget (and its ledger) is gone.
      await audit('dp_budget.delete', tenantId, principal, deleted.id, {
        budgetId: deleted.id,
        dataset: deleted.dataset,
        mode: deleted.mode,
        capMicros: deleted.capMicros.toString(),
        spentMicros: deleted.spentMicros.toString(),
      });
      return deleted;
    },

    async reserve(input, principal) {
      const valid = parseInput(reserveSchema, input, 'input');
      const amountMicros = parseAmount(valid.amount, 'amount');
      const tenantId = await spendingTenant('budget', valid.budgetId, principal);
      const ttlMs = (valid.ttlSeconds ?? DEFAULT_TTL_SECONDS) * 1000;
      return afterCharge(
        await store.reserve(tenantId, {
          budgetId: valid.budgetId,
          idempotencyKey: valid.idempotencyKey,
          amountMicros,
          mechanism: 'manual',
          expiresAt: new Date(now().getTime() + ttlMs),
        }),
        'dp_charge.reserve',
        principal,
      );
    },

    async commit(chargeId, principal) {
      const valid = parseInput(uuidSchema, chargeId, 'chargeId');
      const tenantId = await spendingTenant('charge', valid, principal);
      return afterCharge(await store.commit(tenantId, valid, now()), 'dp_charge.commit', principal);
    },

    async release(chargeId, principal) {
      const valid = parseInput(uuidSchema, chargeId, 'chargeId');
      const tenantId = await spendingTenant('charge', valid, principal);
      return afterCharge(await store.release(tenantId, valid), 'dp_charge.release', principal);
    },

    async releaseNoisyAggregate(input, principal) {
      const valid = parseInput(noisyReleaseSchema, input, 'input');
      const value = BigInt(valid.value);
      const sensitivity = BigInt(valid.sensitivity);
      if (sensitivity <= 0n) throw dpError('DP_INVALID_AMOUNT', 'sensitivity must be a positive integer.', { field: 'input.sensitivity' });
      const parameterMicros = parseAmount(valid.privacyParameter, 'privacyParameter');
      const tenantId = await spendingTenant('budget', valid.budgetId, principal);
      const mechanism: Mechanism =
        valid.mechanism === 'DISCRETE_LAPLACE'
          ? { kind: 'discrete-laplace', sensitivity, epsilonMicros: parameterMicros }
          : { kind: 'discrete-gaussian', sensitivity, rhoMicros: parameterMicros };
      const label = `${mechanism.kind}(sensitivity=${sensitivity},${mechanism.kind === 'discrete-laplace' ? 'epsilon' : 'rho'}=${valid.privacyParameter.trim()})`;

      const outcome = await store.releaseNoisy(tenantId, valid.budgetId, valid.idempotencyKey, (budget) => {
        let amountMicros: bigint;
        try {
          amountMicros = chargeFor(budget.mode === 'zcdp' ? 'zcdp' : 'pure-epsilon', mechanism);
        } catch (error) {
          accountingError(error);
        }
        const drawNoisyValue = (): bigint => {
          if (mechanism.kind === 'discrete-laplace') {
            const [t, s] = laplaceScale(mechanism.sensitivity, mechanism.epsilonMicros);
            return value + sampleDiscreteLaplace(random, t, s);
          }
          return value + sampleDiscreteGaussian(random, gaussianVariance(mechanism.sensitivity, mechanism.rhoMicros));
        };
        return { amountMicros, mechanism: label, drawNoisyValue };
      });
      if (outcome.charge.noisyValue === null) {
        throw dpError('DP_IDEMPOTENCY_CONFLICT', `Idempotency key "${valid.idempotencyKey}" belongs to a reservation, not a noisy release; use a new key.`);
      }
      await announce(outcome.change);
      // Noise was drawn and charged: the release is on the record (a replay of the same key is not a new release).
      if (outcome.change !== null) await audit('dp.noisy_release', tenantId, principal, outcome.charge.id, chargeDetails(outcome.charge));
      const budget = outcome.change?.budget ?? (await store.getBudget(tenantId, valid.budgetId));
      if (!budget) throw dpError('NOT_FOUND', `No privacy budget ${valid.budgetId} in this tenant.`);
      return { noisyValue: BigInt(outcome.charge.noisyValue), charge: outcome.charge, budget, fresh: outcome.change !== null };
    },

    async releaseExpired(limit = 100) {
      const changes = await store.releaseExpired(now(), limit);
      for (const change of changes) await announce(change);
      return changes.length;
    },
  };
}
