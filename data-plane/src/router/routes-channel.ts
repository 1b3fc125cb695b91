import { z } from 'zod';

/**
 * Pub/sub channel the experiments subgraph publishes on after a tenant's routes changed
 * (create, update, delete). Message: JSON `{ tenantId }`, key-only: each data-plane replica
 * reloads that tenant's routes from the database.
 */
export const ROUTES_CHANGED_CHANNEL = 'switchyard:routes.changed';

export const routesChangedMessageSchema = z.object({ tenantId: z.string().min(1).max(100) });
export type RoutesChangedMessage = z.output<typeof routesChangedMessageSchema>;

export function routesChangedMessage(tenantId: string): string {
  return JSON.stringify({ tenantId } satisfies RoutesChangedMessage);
}

/** The tenant id of a routes-changed message, or undefined for anything malformed. */
export function parseRoutesChangedMessage(message: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  const result = routesChangedMessageSchema.safeParse(parsed);
  return result.success ? result.data.tenantId : undefined;
}
