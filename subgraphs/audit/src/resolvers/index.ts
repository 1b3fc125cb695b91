import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { AuditContext } from '../context';
import type { ConsistencyProofResult, InclusionProofResult, ReadableAuditEntry } from '../audit-ledger';
import { encodeCursor, type PublishedCheckpoint } from '../audit-service';
import type { AuditEntryFilter } from '../audit-store';
import { dateTimeScalar } from '../date-time-scalar';
import { subscriptionViaGateway } from '../errors';
import { API_KEY_IDENTITY_PREFIX, canonicalActor } from '@switchyard/subgraph-kit/audit-actor';

const refuse = (): never => {
  throw subscriptionViaGateway();
};

interface EntryConnection {
  edges: Array<{ cursor: string; node: ReadableAuditEntry }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

const queryResolvers = {
  async auditEntries(
    _: unknown,
    args: { filter?: AuditEntryFilter | null; first: number; after?: string | null; newestFirst?: boolean | null },
    { principal, service }: AuditContext,
  ): Promise<EntryConnection> {
    const page = await service.listEntries(principal, args.filter, args.first, args.after, args.newestFirst);
    const edges = page.entries.map((node) => ({ cursor: encodeCursor(node.seq), node }));
    return { edges, pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null } };
  },
  auditEntry: (_: unknown, args: { seq: number }, { principal, service }: AuditContext): Promise<ReadableAuditEntry | null> => service.entry(principal, args.seq),
  latestAuditEntry: (_: unknown, args: { tenantId: string }, { principal, service }: AuditContext): Promise<ReadableAuditEntry | null> =>
    service.latestEntry(principal, args.tenantId),
  latestCheckpoint: (_: unknown, __: unknown, { principal, service }: AuditContext): Promise<PublishedCheckpoint | null> => service.latestCheckpoint(principal),
  inclusionProof: (_: unknown, args: { seq: number; treeSize?: number | null }, { principal, service }: AuditContext): Promise<InclusionProofResult> =>
    service.inclusionProof(principal, args.seq, args.treeSize),
  consistencyProof: (_: unknown, args: { oldSize: number; newSize?: number | null }, { principal, service }: AuditContext): Promise<ConsistencyProofResult> =>
    service.consistencyProof(principal, args.oldSize, args.newSize),
};

/** An API key actor (either stored form) as a reference the gateway resolves at the tenants subgraph (batched there by a DataLoader). */
export function actorApiKeyReference(actor: string): { id: string } | null {
  const canonical = canonicalActor(actor);
  return canonical.startsWith(API_KEY_IDENTITY_PREFIX) ? { id: canonical.slice(API_KEY_IDENTITY_PREFIX.length) } : null;
}

export const resolvers = {
  DateTime: dateTimeScalar,
  AuditEntry: { actorApiKey: (entry: ReadableAuditEntry) => actorApiKeyReference(entry.actor) },
  Query: queryResolvers,
  // Declared so it composes into the API schema; the gateway serves it over graphql-ws (DESIGN.md §4).
  Subscription: { auditAppended: { subscribe: refuse, resolve: refuse } },
} as unknown as GraphQLResolverMap<AuditContext>;
