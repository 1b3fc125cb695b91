import type { Database } from '@switchyard/db';
import { parseStoredResponse, parseTurn } from './session-records';
import type { SessionSnapshotStore } from './snapshotted-session-window';
import type { SessionTurn } from './session-window';
export { expireSessionSnapshots, sessionWindowSubjectStore } from './session-subject-data';

/**
 * The session window's durable snapshot in `memory_sessions` and `memory_responses` (Postgres or
 * PGlite), every statement inside the tenant's transaction, so row-level security keeps tenants
 * apart even if a caller passed another tenant's id. Rows past `expires_at` read as absent; each
 * response write also deletes the tenant's expired rows (in its own transaction, so no sweep needs
 * the platform scope).
 */
export function createDatabaseSessionSnapshot(db: Database): SessionSnapshotStore {
  return {
    async saveResponse(tenantId, response, bytes, expiresAt) {
      const record = JSON.parse(JSON.stringify(response)) as object;
      await db.withTenant(tenantId, async (tx) => {
        const now = new Date();
        await tx.memoryResponse.deleteMany({ where: { tenantId, expiresAt: { lte: now } } });
        await tx.memorySession.deleteMany({ where: { tenantId, expiresAt: { lte: now } } });
        await tx.memoryResponse.upsert({
          where: { tenantId_id: { tenantId, id: response.id } },
          create: { tenantId, id: response.id, sessionId: response.sessionId, record, bytes, expiresAt },
          update: { sessionId: response.sessionId, record, bytes, expiresAt },
        });
      });
    },
    async loadResponse(tenantId, id) {
      const row = await db.withTenant(tenantId, (tx) => tx.memoryResponse.findUnique({ where: { tenantId_id: { tenantId, id } }, select: { record: true, expiresAt: true } }));
      if (!row || row.expiresAt.getTime() <= Date.now()) return null;
      return parseStoredResponse(row.record);
    },
    async deleteResponse(tenantId, id) {
      const { count } = await db.withTenant(tenantId, (tx) => tx.memoryResponse.deleteMany({ where: { tenantId, id } }));
      return count > 0;
    },
    async saveWindow(tenantId, sessionId, turns, expiresAt) {
      const json = JSON.parse(JSON.stringify(turns)) as object[];
      const bytes = Buffer.byteLength(JSON.stringify(json));
      await db.withTenant(tenantId, (tx) =>
        tx.memorySession.upsert({
          where: { tenantId_sessionId: { tenantId, sessionId } },
          create: { tenantId, sessionId, turns: json, bytes, expiresAt },
          update: { turns: json, bytes, expiresAt, updatedAt: new Date() },
        }),
      );
    },
    async loadWindow(tenantId, sessionId) {
      const row = await db.withTenant(tenantId, (tx) => tx.memorySession.findUnique({ where: { tenantId_sessionId: { tenantId, sessionId } }, select: { turns: true, expiresAt: true } }));
      if (!row || row.expiresAt.getTime() <= Date.now() || !Array.isArray(row.turns)) return null;
      return row.turns.map(parseTurn).filter((turn): turn is SessionTurn => turn !== null);
    },
    async deleteWindow(tenantId, sessionId) {
      const { count } = await db.withTenant(tenantId, (tx) => tx.memorySession.deleteMany({ where: { tenantId, sessionId } }));
      return count > 0;
    },
  };
}
