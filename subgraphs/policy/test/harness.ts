import type { Bus } from '@switchyard/bus';
import type { Database } from '@switchyard/db';
import { createInternalTokenSigner, createInternalTokenVerifier, generateInternalKeyPair } from '@switchyard/identity';
import type { Principal, Role } from '@switchyard/identity';
import { createGraphQLRequest, listenOnLoopback } from '@switchyard/subgraph-kit/testing';
import type { GraphQLReply } from '@switchyard/subgraph-kit/testing';
import type { PolicyAuditStep } from '../src/audit-trail';
import { createPolicySubgraph, type PolicySubgraph } from '../src/policy-subgraph';
import { createRecordingLogger } from './recording-logger';

const AUDIENCE = 'subgraph:policy';

export type Reply = GraphQLReply<{ message: string; path?: (string | number)[]; extensions?: Record<string, unknown> & { code?: string } }>;

export interface PolicyHarness {
  url: string;
  subgraph: PolicySubgraph;
  audited: PolicyAuditStep[];
  request(caller: Principal | null, query: string, variables?: Record<string, unknown>): Promise<Reply>;
  close(): Promise<void>;
}

export const principal = (subject: string, roles: Role[], tenantId: string | null): Principal => ({ subject, email: null, tenantId, roles, service: 'gateway' });

export const codes = (reply: Reply) => (reply.body.errors ?? []).map((error) => error.extensions?.code);

/** The policy subgraph on port 0 over `db` and `bus`, audit steps recorded in memory; `region`: its SWITCHYARD_REGION. */
export async function startPolicySubgraph(db: Database, bus: Bus, options: { region?: string } = {}): Promise<PolicyHarness> {
  const keys = await generateInternalKeyPair();
  const signer = createInternalTokenSigner(keys.privateKey);
  const audited: PolicyAuditStep[] = [];
  const subgraph = createPolicySubgraph({
    db,
    bus,
    verifyInternalToken: createInternalTokenVerifier(keys.publicKey, AUDIENCE),
    logger: createRecordingLogger().logger,
    audit: { record: (step) => Promise.resolve(void audited.push(step)) },
    ...(options.region ? { region: options.region } : {}),
  });
  const url = await listenOnLoopback(subgraph.server);
  return {
    url,
    subgraph,
    audited,
    request: createGraphQLRequest<Reply>(url, signer, AUDIENCE),
    close: () => subgraph.close(),
  };
}

export const POLICY_FIELDS = 'id tenantId version text status proposedBy approvedBy createdAt activatedAt';
export const PROPOSE = `mutation($tenantId: ID!, $text: String!) { proposePolicy(tenantId: $tenantId, text: $text) { ${POLICY_FIELDS} } }`;
export const APPROVE = `mutation($tenantId: ID!, $version: Int!) { approvePolicy(tenantId: $tenantId, version: $version) { ${POLICY_FIELDS} } }`;
export const ROLLBACK = `mutation($tenantId: ID!, $toVersion: Int!) { rollbackPolicy(tenantId: $tenantId, toVersion: $toVersion) { ${POLICY_FIELDS} } }`;
export const DRY_RUN = `mutation($tenantId: ID!, $version: Int!) { dryRunPolicy(tenantId: $tenantId, version: $version) {
  tenantId version activeVersion replayed flips { principalId action resourceType resourceId request before beforePolicies after afterPolicies loggedAt } } }`;
export const VERSIONS = `query($tenantId: ID!) { policyVersions(tenantId: $tenantId) { version status } activePolicy(tenantId: $tenantId) { version } }`;

/** Lets tenant admins manage policies, allows every model except mock-large. */
export const NO_LARGE_POLICY = `@id("admins-manage")
permit (principal, action == Action::"manage_policy", resource) when { principal.roles.contains("tenant_admin") };

@id("models")
permit (principal, action == Action::"use_model", resource);

@id("no-large")
forbid (principal, action == Action::"use_model", resource is Model) when { resource.id == "mock-large" };
`;

export const ALLOW_ALL_POLICY = `@id("allow-all")
permit (principal, action, resource);
`;
