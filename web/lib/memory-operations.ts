import { z } from 'zod';
import type { Operation } from './operations';

/**
 * The memory page's GraphQL operations (memory subgraph): a tenant's sessions and vector memories.
 * Same shape as `operations.ts`; listed in CONSOLE_OPERATIONS so they are validated and persisted.
 */
function operation<TData, TVariables>(name: string, document: string, data: z.ZodType<TData>): Operation<TData, TVariables> {
  return { name, document, data };
}

const sessionSchema = z.object({
  id: z.string(),
  turns: z.number().int(),
  responses: z.number().int(),
  bytes: z.number().int(),
  updatedAt: z.string(),
  expiresAt: z.string(),
});
export type MemorySession = z.infer<typeof sessionSchema>;

const sessionPageSchema = z.object({ items: z.array(sessionSchema), nextCursor: z.string().nullable() });
export type MemorySessionPage = z.infer<typeof sessionPageSchema>;

const turnSchema = z.object({ role: z.string(), content: z.string(), toolCallId: z.string().nullable(), toolCallNames: z.array(z.string()) });
export type MemoryTurn = z.infer<typeof turnSchema>;

const storedResponseSchema = z.object({
  id: z.string(),
  previousResponseId: z.string().nullable(),
  model: z.string(),
  status: z.string(),
  createdAt: z.string(),
  input: z.array(turnSchema),
  outputText: z.string(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
});
export type MemoryStoredResponse = z.infer<typeof storedResponseSchema>;

const sessionDetailSchema = z.object({ session: sessionSchema, turns: z.array(turnSchema), responses: z.array(storedResponseSchema) });
export type MemorySessionDetail = z.infer<typeof sessionDetailSchema>;

const collectionSchema = z.object({ name: z.string(), memories: z.number().int(), dimensions: z.number().int(), embeddingModel: z.string(), lastAddedAt: z.string() });
export type MemoryCollection = z.infer<typeof collectionSchema>;

const vectorMemorySchema = z.object({
  id: z.string(),
  collection: z.string(),
  text: z.string(),
  subject: z.string().nullable(),
  dimensions: z.number().int(),
  createdAt: z.string(),
});
export type VectorMemoryEntry = z.infer<typeof vectorMemorySchema>;

const vectorMemoryPageSchema = z.object({ items: z.array(vectorMemorySchema), nextCursor: z.string().nullable() });
export type VectorMemoryPage = z.infer<typeof vectorMemoryPageSchema>;

/** Sessions per page (the server's first page and every "More"); a plain module, so server and client components share it. */
export const SESSION_PAGE_SIZE = 25;

const SESSION_FIELDS = 'id turns responses bytes updatedAt expiresAt';
const TURN_FIELDS = 'role content toolCallId toolCallNames';

export const memorySessionsQuery = operation<{ memorySessions: MemorySessionPage }, { tenantId: string; first: number; after?: string | null }>(
  'ConsoleMemorySessions',
  `query ConsoleMemorySessions($tenantId: ID!, $first: Int!, $after: String) { memorySessions(tenantId: $tenantId, first: $first, after: $after) { items { ${SESSION_FIELDS} } nextCursor } }`,
  z.object({ memorySessions: sessionPageSchema }),
);

export const memorySessionQuery = operation<{ memorySession: MemorySessionDetail }, { tenantId: string; id: string }>(
  'ConsoleMemorySession',
  `query ConsoleMemorySession($tenantId: ID!, $id: ID!) { memorySession(tenantId: $tenantId, id: $id) { session { ${SESSION_FIELDS} } turns { ${TURN_FIELDS} }
  responses { id previousResponseId model status createdAt input { ${TURN_FIELDS} } outputText inputTokens outputTokens } } }`,
  z.object({ memorySession: sessionDetailSchema }),
);

export const deleteMemorySessionMutation = operation<{ deleteMemorySession: boolean }, { tenantId: string; id: string }>(
  'ConsoleDeleteMemorySession',
  `mutation ConsoleDeleteMemorySession($tenantId: ID!, $id: ID!) { deleteMemorySession(tenantId: $tenantId, id: $id) }`,
  z.object({ deleteMemorySession: z.boolean() }),
);

export const memoryCollectionsQuery = operation<{ memoryCollections: MemoryCollection[] }, { tenantId: string }>(
  'ConsoleMemoryCollections',
  `query ConsoleMemoryCollections($tenantId: ID!) { memoryCollections(tenantId: $tenantId) { name memories dimensions embeddingModel lastAddedAt } }`,
  z.object({ memoryCollections: z.array(collectionSchema) }),
);

export const vectorMemoriesQuery = operation<{ vectorMemories: VectorMemoryPage }, { tenantId: string; collection: string; first: number; after?: string | null }>(
  'ConsoleVectorMemories',
  `query ConsoleVectorMemories($tenantId: ID!, $collection: String, $first: Int!, $after: String) { vectorMemories(tenantId: $tenantId, collection: $collection, first: $first, after: $after) {
  items { id collection text subject dimensions createdAt } nextCursor } }`,
  z.object({ vectorMemories: vectorMemoryPageSchema }),
);

export const deleteVectorMemoryMutation = operation<{ deleteVectorMemory: boolean }, { tenantId: string; id: string }>(
  'ConsoleDeleteVectorMemory',
  `mutation ConsoleDeleteVectorMemory($tenantId: ID!, $id: ID!) { deleteVectorMemory(tenantId: $tenantId, id: $id) }`,
  z.object({ deleteVectorMemory: z.boolean() }),
);

export const deleteMemoryCollectionMutation = operation<{ deleteMemoryCollection: number }, { tenantId: string; collection: string }>(
  'ConsoleDeleteMemoryCollection',
  `mutation ConsoleDeleteMemoryCollection($tenantId: ID!, $collection: String!) { deleteMemoryCollection(tenantId: $tenantId, collection: $collection) }`,
  z.object({ deleteMemoryCollection: z.number().int() }),
);

export const MEMORY_OPERATIONS = [
  memorySessionsQuery,
  memorySessionQuery,
  deleteMemorySessionMutation,
  memoryCollectionsQuery,
  vectorMemoriesQuery,
  deleteVectorMemoryMutation,
  deleteMemoryCollectionMutation,
] as const;
