import { z } from 'zod';
import type { Operation } from './operations';

/**
 * The policy editor's GraphQL operations (policy subgraph). Kept beside `operations.ts` in the
 * same shape; `policy-operations.test.ts` validates them against the composed API schema.
 */
function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

export const POLICY_VERSION_STATUSES = ['PROPOSED', 'ACTIVE', 'SUPERSEDED', 'REJECTED'] as const;

const policyVersionSchema = z.object({
  id: z.string(),
  version: z.number().int(),
  text: z.string(),
  status: z.enum(POLICY_VERSION_STATUSES),
  proposedBy: z.string(),
  approvedBy: z.string().nullable(),
  createdAt: z.string(),
  activatedAt: z.string().nullable(),
});
export type PolicyVersion = z.infer<typeof policyVersionSchema>;

const POLICY_VERSION_FIELDS = 'id version text status proposedBy approvedBy createdAt activatedAt';

const decisionFlipSchema = z.object({
  loggedAt: z.string(),
  principalId: z.string(),
  action: z.string(),
  resourceType: z.string(),
  resourceId: z.string(),
  before: z.enum(['ALLOW', 'DENY']),
  beforePolicies: z.array(z.string()),
  after: z.enum(['ALLOW', 'DENY']),
  afterPolicies: z.array(z.string()),
});
export type DecisionFlip = z.infer<typeof decisionFlipSchema>;

const dryRunSchema = z.object({
  version: z.number().int(),
  activeVersion: z.number().int().nullable(),
  replayed: z.number().int(),
  flips: z.array(decisionFlipSchema),
});
export type PolicyDryRunResult = z.infer<typeof dryRunSchema>;

export const policyVersionsQuery = operation<{ policyVersions: PolicyVersion[] }, { tenantId: string }>(
  'ConsolePolicyVersions',
  `query ConsolePolicyVersions($tenantId: ID!) {
  policyVersions(tenantId: $tenantId) { ${POLICY_VERSION_FIELDS} }
}`,
  z.object({ policyVersions: z.array(policyVersionSchema) }),
);

export const proposePolicyMutation = operation<{ proposePolicy: PolicyVersion }, { tenantId: string; text: string }>(
  'ConsoleProposePolicy',
  `mutation ConsoleProposePolicy($tenantId: ID!, $text: String!) {
  proposePolicy(tenantId: $tenantId, text: $text) { ${POLICY_VERSION_FIELDS} }
}`,
  z.object({ proposePolicy: policyVersionSchema }),
);

export const dryRunPolicyMutation = operation<{ dryRunPolicy: PolicyDryRunResult }, { tenantId: string; version: number }>(
  'ConsoleDryRunPolicy',
  `mutation ConsoleDryRunPolicy($tenantId: ID!, $version: Int!) {
  dryRunPolicy(tenantId: $tenantId, version: $version) {
    version activeVersion replayed
    flips { loggedAt principalId action resourceType resourceId before beforePolicies after afterPolicies }
  }
}`,
  z.object({ dryRunPolicy: dryRunSchema }),
);

export const approvePolicyMutation = operation<{ approvePolicy: PolicyVersion }, { tenantId: string; version: number }>(
  'ConsoleApprovePolicy',
  `mutation ConsoleApprovePolicy($tenantId: ID!, $version: Int!) {
  approvePolicy(tenantId: $tenantId, version: $version) { ${POLICY_VERSION_FIELDS} }
}`,
  z.object({ approvePolicy: policyVersionSchema }),
);

export const rollbackPolicyMutation = operation<{ rollbackPolicy: PolicyVersion }, { tenantId: string; toVersion: number }>(
  'ConsoleRollbackPolicy',
  `mutation ConsoleRollbackPolicy($tenantId: ID!, $toVersion: Int!) {
  rollbackPolicy(tenantId: $tenantId, toVersion: $toVersion) { ${POLICY_VERSION_FIELDS} }
}`,
  z.object({ rollbackPolicy: policyVersionSchema }),
);

export const POLICY_OPERATIONS = [policyVersionsQuery, proposePolicyMutation, dryRunPolicyMutation, approvePolicyMutation, rollbackPolicyMutation] as const;

/**
 * Whether the viewer may be offered Approve for this version: only a proposal, and never to the
 * admin who proposed it (the API refuses both; hiding the button saves the round trip). Proposals
 * stored before `proposedBy` held actors (`user:<sub>`) hold the bare subject: both forms count.
 */
export function canOfferApproval(version: Pick<PolicyVersion, 'status' | 'proposedBy'>, viewerSubject: string): boolean {
  if (version.status !== 'PROPOSED') return false;
  return version.proposedBy !== viewerSubject && version.proposedBy !== `user:${viewerSubject}`;
}
