import { randomUUID } from 'node:crypto';
import type { Bus } from '@switchyard/bus';
import type { Principal } from '@switchyard/identity';
import { auditActor } from '@switchyard/subgraph-kit/audit-actor';
import { AUDIT_STREAM, auditEventSchema, type AuditEventInput } from '@switchyard/events/audit';
import type { Logger } from './logger';

export type PolicyAuditAction = 'policy.propose' | 'policy.dry_run' | 'policy.approve' | 'policy.rollback';

export interface PolicyAuditStep {
  tenantId: string;
  /** Who took the step (a person or an API key); recorded as its audit actor. */
  principal: Pick<Principal, 'subject' | 'service'>;
  action: PolicyAuditAction;
  payload: Record<string, unknown>;
}

/** Port: where every review step goes. */
export interface PolicyAuditTrail {
  record(step: PolicyAuditStep): Promise<void>;
}

/**
 * Appends each step to the durable audit stream (the audit subgraph's writer puts it in the
 * hash-chained ledger). A failed append is logged, not thrown: the step itself already committed.
 */
export function createBusAuditTrail(bus: Bus, logger: Logger): PolicyAuditTrail {
  return {
    async record(step) {
      const event: AuditEventInput = {
        idempotencyKey: `${step.action}:${step.tenantId}:${randomUUID()}`,
        tenantId: step.tenantId,
        actor: auditActor(step.principal),
        action: step.action,
        dataClassification: 'internal',
        payload: step.payload,
        occurredAt: new Date().toISOString(),
      };
      try {
        await bus.append(AUDIT_STREAM, JSON.stringify(auditEventSchema.parse(event)));
      } catch (error) {
        logger.error({ err: error instanceof Error ? error.message : String(error), action: step.action, tenantId: step.tenantId }, 'could not append a policy audit event');
      }
    },
  };
}
