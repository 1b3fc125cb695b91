import { canonicalActor } from '@switchyard/subgraph-kit/audit-actor';
import type { DecisionFlip } from '../dry-run';
import type { PolicyVersion } from '../policy-version';

export const policyVersionResolvers = {
  /** GraphQL enum values are upper case; the database's are lower case. */
  status: (version: PolicyVersion) => version.status.toUpperCase(),
  // Older rows hold a bare subject: shown as the actor its audit entries name.
  proposedBy: (version: PolicyVersion) => canonicalActor(version.proposedBy),
  approvedBy: (version: PolicyVersion) => (version.approvedBy === null ? null : canonicalActor(version.approvedBy)),
};

const effect = (decision: 'allow' | 'deny') => decision.toUpperCase();

export const decisionFlipResolvers = {
  principalId: (flip: DecisionFlip) => flip.request.principal.id,
  action: (flip: DecisionFlip) => flip.request.action,
  resourceType: (flip: DecisionFlip) => flip.request.resource.type,
  resourceId: (flip: DecisionFlip) => flip.request.resource.id,
  request: (flip: DecisionFlip) => JSON.stringify(flip.request),
  before: (flip: DecisionFlip) => effect(flip.before),
  after: (flip: DecisionFlip) => effect(flip.after),
};
