export { USAGE_STREAM, COST_UPDATED_CHANNEL, API_KEY_CHANGED_CHANNEL, usageEventSchema } from './usage-event';
export type { UsageEvent, RouteDecisionRecord } from './usage-event';
export { routeDecisionSchema } from './usage-event';
export { AUDIT_STREAM, POLICY_DENIED_ACTION, policyDeniedAuditEvent } from './audit-event';
export type { DataPlaneAuditEvent, PolicyDenial } from './audit-event';
