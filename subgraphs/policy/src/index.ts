export { subgraphName, typeDefs } from './type-defs';
export { createPolicySubgraph } from './policy-subgraph';
export type { PolicySubgraph, PolicySubgraphDeps } from './policy-subgraph';
export { createPolicyService, MAX_DRY_RUN_REQUESTS, MAX_POLICY_TEXT_LENGTH } from './policy-service';
export type { PolicyDryRun, PolicyService, PolicyServiceDeps } from './policy-service';
export { createBusAuditTrail } from './audit-trail';
export type { PolicyAuditAction, PolicyAuditStep, PolicyAuditTrail } from './audit-trail';
export type { PolicyVersion, PolicyVersionStatus } from './policy-version';
export type { Logger } from './logger';
