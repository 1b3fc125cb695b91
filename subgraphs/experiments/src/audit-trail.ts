import type { Bus } from '@switchyard/bus';
import { AUDIT_STREAM, auditEventSchema, type AuditEventInput } from '@switchyard/events/audit';
import type { Logger } from '@switchyard/subgraph-kit/logger';

export type RouteAuditAction =
  | 'route.create'
  | 'route.update'
  | 'route.delete'
  | 'route.rollback'
  | 'route.pin'
  | 'route.unpin'
  | 'experiment.start'
  | 'experiment.stop'
  | 'experiment.guardrail_stop'
  | 'experiment.promote'
  | 'experiment.revert';

export interface RouteAuditStep {
  tenantId: string;
  /** Who made the change (a person or an API key; `service:experiments` for automatic decisions); recorded as its audit actor. */
  actor: string;
  action: RouteAuditAction;
  routeId: string;
  /** The version the change produced (create: 1; delete: the version deleted). */
  version: number;
  payload: Record<string, unknown>;
}

/** Port: where every route change goes. */
export interface RouteAuditTrail {
  record(step: RouteAuditStep): Promise<void>;
}

/**
 * Appends each change to the durable audit stream (the audit subgraph's writer puts it in the
 * hash-chained ledger), idempotent per route version. A failed append is logged, not thrown:
 * the change itself already committed.
 */
export function createBusAuditTrail(bus: Pick<Bus, 'append'>, logger: Logger): RouteAuditTrail {
  return {
    async record(step) {
      const event: AuditEventInput = {
        idempotencyKey: `${step.action}:${step.routeId}:${step.version}`,
        tenantId: step.tenantId,
        actor: step.actor,
        action: step.action,
        dataClassification: 'internal',
        payload: { routeId: step.routeId, version: step.version, ...step.payload },
        occurredAt: new Date().toISOString(),
      };
      try {
        await bus.append(AUDIT_STREAM, JSON.stringify(auditEventSchema.parse(event)));
      } catch (error) {
        logger.error({ err: error instanceof Error ? error.message : String(error), action: step.action, tenantId: step.tenantId }, 'could not append a route audit event');
      }
    },
  };
}
