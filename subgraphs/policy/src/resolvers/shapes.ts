import type { DecisionFlip } from '../dry-run';
import type { PolicyVersion } from '../policy-version';

/** GraphQL enum values are upper case; the database's are lower case. */
export const policyVersionResolvers = {
  status: (version: PolicyVersion) => version.status.toUpperCase(),
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
