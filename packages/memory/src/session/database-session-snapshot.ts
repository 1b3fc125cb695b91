import type { Database } from '@switchyard/db';
import { parseStoredResponse, parseTurn } from './session-records';
import type { SessionCursor, SessionDirectory, SessionSummary } from './session-directory';
import type { SessionSnapshotStore } from './snapshotted-session-window';
import type { SessionTurn, StoredResponse } from './session-window';
export { expireSessionSnapshots, sessionWindowSubjectStore } from './session-subject-data';

interface SummaryRow {
  session_id: string;
  turns: number | bigint;
  responses: number | bigint;
  bytes: number | bigint;
  updated_at: Date;
  expires_at: Date;
}

/**
 * One row per live session of the tenant: its window (if any) and its stored responses (if any)
 * folded together. $1 tenant; callers add HAVING / ORDER / LIMIT. Runs in the tenant's transaction,
 * so row-level security applies on top of the tenant filter.
 */
const SUMMARY_SQL = `
SELECT session_id, sum(turns)::int AS turns, sum(responses)::int AS responses, sum(bytes)::bigint AS bytes,
       max(updated_at) AS updated_at, max(expires_at) AS expires_at
FROM (
  SELECT session_id, jsonb_array_length(turns) AS turns, 0 AS responses, bytes, updated_at, expires_at
    FROM memory_sessions WHERE tenant_id = $1::uuid AND expires_at > now()
  UNION ALL
  SELECT session_id, 0, 1, bytes, created_at, expires_at
    FROM memory_responses WHERE tenant_id = $1::uuid AND expires_at > now()
) parts`;

const summaryOf = (row: SummaryRow): SessionSummary => ({
  sessionId: row.session_id,
  turns: Number(row.turns),
  responses: Number(row.responses),
  bytes: Number(row.bytes),
  updatedAt: new Date(row.updated_at),
  expiresAt: new Date(row.expires_at),
});

/**
 * The session window's durable snapshot in `memory_sessions` and `memory_responses` (Postgres or
 * PGlite), every statement inside the tenant's transaction, so row-level security keeps tenants
 * apart even if a caller passed another tenant's id. Rows past `expires_at` read as absent; each
 * response write also deletes the tenant's expired rows (in its own transaction, so no sweep needs
 * the platform scope).
 */
export function createDatabaseSessionSnapshot(db: Database): SessionSnapshotStore & SessionDirectory {
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
    async deleteSession(tenantId, sessionId) {
      return db.withTenant(tenantId, async (tx) => {
        const responses = await tx.memoryResponse.findMany({ where: { tenantId, sessionId }, select: { id: true, expiresAt: true } });
        const { count: windows } = await tx.memorySession.deleteMany({ where: { tenantId, sessionId, expiresAt: { gt: new Date() } } });
        await tx.memorySession.deleteMany({ where: { tenantId, sessionId } });
        await tx.memoryResponse.deleteMany({ where: { tenantId, sessionId } });
        const live = responses.some((response) => response.expiresAt.getTime() > Date.now());
        return { existed: windows > 0 || live, responseIds: responses.map((response) => response.id) };
      });
    },
    async listSessions(tenantId, { limit, before }) {
      const page = (cursor: SessionCursor | undefined) =>
        cursor
          ? db.withTenant(tenantId, (tx) =>
              tx.$queryRawUnsafe<SummaryRow[]>(
                `${SUMMARY_SQL} GROUP BY session_id HAVING (max(updated_at), session_id) < ($2::timestamptz, $3) ORDER BY max(updated_at) DESC, session_id DESC LIMIT $4`,
                tenantId,
                cursor.updatedAt,
                cursor.sessionId,
                limit,
              ),
            )
          : db.withTenant(tenantId, (tx) => tx.$queryRawUnsafe<SummaryRow[]>(`${SUMMARY_SQL} GROUP BY session_id ORDER BY max(updated_at) DESC, session_id DESC LIMIT $2`, tenantId, limit));
      return (await page(before)).map(summaryOf);
    },
    async getSession(tenantId, sessionId) {
      const rows = await db.withTenant(tenantId, (tx) => tx.$queryRawUnsafe<SummaryRow[]>(`${SUMMARY_SQL} WHERE session_id = $2 GROUP BY session_id`, tenantId, sessionId));
      return rows[0] ? summaryOf(rows[0]) : null;
    },
    async sessionResponses(tenantId, sessionId, limit) {
      const rows = await db.withTenant(tenantId, (tx) =>
        tx.memoryResponse.findMany({ where: { tenantId, sessionId, expiresAt: { gt: new Date() } }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], take: limit, select: { record: true } }),
      );
      return rows.map((row) => parseStoredResponse(row.record)).filter((response): response is StoredResponse => response !== null);
    },
  };
}
