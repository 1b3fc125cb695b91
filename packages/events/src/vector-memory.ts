import { z } from 'zod';

/**
 * Pub/sub: a tenant's vector memory collection changed (a memory added, removed or erased) on
 * one replica. Replicas that keep an in-process index of the collection (Postgres deployments)
 * apply the change, or drop their copy and reload it from Postgres on next use. `replicaId` lets
 * the writer skip its own message. Message: JSON `{ tenantId, collection, replicaId, added?, removed? }`.
 */
export const VECTOR_MEMORY_CHANGED_CHANNEL = 'switchyard:vector-memory.changed';

export const vectorMemoryChangedMessageSchema = z.object({
  tenantId: z.string().uuid(),
  /** The collection that changed; absent: any of the tenant's collections (an erasure). */
  collection: z.string().min(1).max(64).optional(),
  replicaId: z.string().min(1).max(100),
});
export type VectorMemoryChangedMessage = z.infer<typeof vectorMemoryChangedMessageSchema>;
