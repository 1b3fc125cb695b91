import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import { AUDIT_STREAM, type AuditEventInput } from '@switchyard/events/audit';
import { SLO_CHANGED_CHANNEL } from '@switchyard/events/slo';
import type { SliCounters } from '@switchyard/slo/counters';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { canManageSlos, canReadSlos } from './authorization';
import { forbidden, limitExceeded, versionConflict } from './errors';
import type { Logger } from './logger';
import { parseInput } from './parse-input';
import { publishThrottle } from './throttle-announcement';
import { putSloInputSchema, toDefinition } from './slo-input';
import { readBurn, statusOf, type SloStatus } from './slo-status';
import { createSloStore, type SloRecord, type SloStore, type TransitionRecord } from './slo-store';

export type SloView = SloRecord & { status: SloStatus };

export interface SloOverview {
  tenantId: string;
  slos: SloView[];
  transitions: TransitionRecord[];
}

/** Authorization, validation, audit and announcements around the SLO store. */
export interface SloService {
  overview(tenantId: string, transitionsLimit: number, principal: Principal): Promise<SloOverview>;
  put(input: unknown, principal: Principal): Promise<SloView>;
  remove(tenantId: string, id: string, principal: Principal): Promise<boolean>;
}

export interface SloServiceDeps {
  db: Database;
  bus: Bus;
  counters: SliCounters;
  logger: Logger;
  now?: () => Date;
  store?: SloStore;
}

const tenantIdSchema = z.uuid('Must be a tenant id (UUID).');
const idSchema = z.uuid('Must be an SLO id (UUID).');
const limitSchema = z.number().int().min(0, 'must be at least 0').max(200, 'must be at most 200');

export function createSloService(deps: SloServiceDeps): SloService {
  const store = deps.store ?? createSloStore(deps.db);
  const now = deps.now ?? (() => new Date());

  const announce = (tenantId: string) =>
    // The write is committed; a lost hint only delays live dashboards until the next evaluation round.
    deps.bus.publish(SLO_CHANGED_CHANNEL, JSON.stringify({ tenantId })).catch((error: unknown) => {
      deps.logger.warn({ err: error instanceof Error ? error.message : String(error), tenantId }, 'could not publish slo.changed');
    });

  const audit = async (principal: Principal, tenantId: string, action: string, payload: Record<string, unknown>) => {
    const event: AuditEventInput = {
      idempotencyKey: `${action}:${tenantId}:${randomUUID()}`,
      tenantId,
      actor: auditActor(principal),
      subjectId: principal.subject,
      action,
      dataClassification: 'internal',
      occurredAt: now().toISOString(),
      payload,
    };
    await deps.bus.append(AUDIT_STREAM, JSON.stringify(event));
  };

  const view = async (slo: SloRecord, state: SloStatus['alertState'], at: Date): Promise<SloView> => ({ ...slo, status: statusOf(slo, await readBurn(deps.counters, slo, at), state, at) });

  return {
    async overview(tenantId, transitionsLimit, principal) {
      const validTenantId = parseInput(tenantIdSchema, tenantId, 'tenantId');
      const limit = parseInput(limitSchema, transitionsLimit, 'transitionsLimit');
      if (!canReadSlos(principal, validTenantId)) throw forbidden("You may only read your own tenant's SLOs.");
      const [slos, states, transitions] = await Promise.all([store.list(validTenantId), store.latestStates(validTenantId), limit > 0 ? store.transitions(validTenantId, limit) : []]);
      const at = now();
      return { tenantId: validTenantId, slos: await Promise.all(slos.map((slo) => view(slo, states.get(slo.id)?.state ?? 'ok', at))), transitions };
    },

    async put(input, principal) {
      const valid = parseInput(putSloInputSchema, input, 'input');
      if (!canManageSlos(principal, valid.tenantId)) throw forbidden('Only a tenant admin of this tenant (or a platform admin) may change its SLOs.');
      const { definition, expectedVersion } = toDefinition(valid);
      const result = await store.put(definition, expectedVersion, auditActor(principal));
      if (!result.ok) throw result.reason === 'limit' ? limitExceeded() : versionConflict(result.currentVersion);
      const { slo } = result;
      await audit(principal, slo.tenantId, slo.version === 1 ? 'slo.create' : 'slo.update', { sloId: slo.id, ...definition, version: slo.version });
      await announce(slo.tenantId);
      const states = await store.latestStates(slo.tenantId);
      return view(slo, states.get(slo.id)?.state ?? 'ok', now());
    },

    async remove(tenantId, id, principal) {
      const validTenantId = parseInput(tenantIdSchema, tenantId, 'tenantId');
      const validId = parseInput(idSchema, id, 'id');
      if (!canManageSlos(principal, validTenantId)) throw forbidden('Only a tenant admin of this tenant (or a platform admin) may change its SLOs.');
      const wasPaging = (await store.latestStates(validTenantId)).get(validId)?.state === 'page';
      const removed = await store.remove(validTenantId, validId);
      if (!removed) return false;
      await audit(principal, validTenantId, 'slo.delete', { sloId: removed.id, route: removed.route, kind: removed.kind });
      // Its throttle goes with it: no evaluator will ever release it otherwise.
      if (wasPaging) await publishThrottle(deps.bus, { tenantId: validTenantId, route: removed.route, sloId: removed.id, action: 'release', shedClass: 'batch', at: now().toISOString() }, deps.logger);
      await announce(validTenantId);
      return true;
    },
  };
}
