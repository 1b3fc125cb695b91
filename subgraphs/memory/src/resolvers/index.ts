import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import type { SessionSummary, SessionTurn, StoredResponse } from '@switchyard/memory/session';
import type { MemoryContext } from '../context';
import { dateTimeScalar } from '../date-time-scalar';

interface PageArgs {
  tenantId: string;
  first: number;
  after?: string | null;
}

export const resolvers = {
  DateTime: dateTimeScalar,
  Query: {
    memorySessions: (_parent: unknown, args: PageArgs, { service, principal }: MemoryContext) => service.sessions(args.tenantId, args.first, args.after, principal),
    memorySession: (_parent: unknown, args: { tenantId: string; id: string }, { service, principal }: MemoryContext) => service.session(args.tenantId, args.id, principal),
    memoryCollections: (_parent: unknown, args: { tenantId: string }, { service, principal }: MemoryContext) => service.collections(args.tenantId, principal),
    vectorMemories: (_parent: unknown, args: PageArgs & { collection?: string | null }, { service, principal }: MemoryContext) =>
      service.memories(args.tenantId, args.collection, args.first, args.after, principal),
  },
  Mutation: {
    deleteMemorySession: (_parent: unknown, args: { tenantId: string; id: string }, { service, principal }: MemoryContext) => service.deleteSession(args.tenantId, args.id, principal),
    deleteVectorMemory: (_parent: unknown, args: { tenantId: string; id: string }, { service, principal }: MemoryContext) => service.deleteMemory(args.tenantId, args.id, principal),
    deleteMemoryCollection: (_parent: unknown, args: { tenantId: string; collection: string }, { service, principal }: MemoryContext) =>
      service.deleteCollection(args.tenantId, args.collection, principal),
  },
  MemorySession: {
    id: (session: SessionSummary) => session.sessionId,
  },
  MemoryTurn: {
    toolCallId: (turn: SessionTurn) => turn.toolCallId ?? null,
    toolCallNames: (turn: SessionTurn) => (turn.toolCalls ?? []).map((call) => call.name),
  },
  MemoryStoredResponse: {
    // Stored as Unix seconds (the OpenAI shape).
    createdAt: (response: StoredResponse) => new Date(response.createdAt * 1000),
    inputTokens: (response: StoredResponse) => response.usage.inputTokens,
    outputTokens: (response: StoredResponse) => response.usage.outputTokens,
  },
} as unknown as GraphQLResolverMap<MemoryContext>;
