import type { Database } from '@switchyard/db';
import type { DataClassification } from '@switchyard/db/tenant-settings';
import type { SubjectDataStore } from '@switchyard/subject-data';
import type { SessionWindow } from './session-window';

/**
 * The session window in data-subject requests. Turns and stored responses carry no subject of
 * their own: a session is keyed by the client's `x-switchyard-session` header (a Responses chain by
 * its first response). So a request covers what is keyed by the subject:
 *   - the session whose id is the subject id (its recent turns and every response stored in it):
 *     an application that keeps one conversation per person sends the person's id as the session;
 *   - every stored response whose `metadata.subject` is the subject id (the Responses API's
 *     `metadata: {"subject": "<id>"}`), whatever its session.
 * Conversations keyed by anything else cannot be attributed to a person and are not found; they
 * end with their TTL (MEMORY_TTL_SECONDS) and the retention sweep.
 *
 * The lookup reads the durable snapshot (`memory_sessions`, `memory_responses`) across tenants in
 * the platform scope and deletes tenant by tenant as that tenant. `fast` (the Redis window the data
 * planes share) is erased too when given; without it a fast-store copy lives until its TTL.
 */
export function sessionWindowSubjectStore(db: Database, options: { fast?: Pick<SessionWindow, 'deleteResponse' | 'deleteSession'> } = {}): SubjectDataStore {
  interface Found {
    sessions: { tenant_id: string; session_id: string; turns: unknown; updated_at: Date }[];
    responses: { tenant_id: string; id: string; session_id: string; record: unknown; created_at: Date }[];
  }
  const find = async (subjectId: string, tenantId: string | undefined): Promise<Found> => {
    if (tenantId !== undefined && !UUID.test(tenantId)) return { sessions: [], responses: [] };
    const inTenant = tenantId === undefined ? '' : ' AND tenant_id = $2::uuid';
    const args = tenantId === undefined ? [subjectId] : [subjectId, tenantId];
    return db.withPlatform(async (tx) => ({
      sessions: await tx.$queryRawUnsafe<Found['sessions']>(
        `SELECT tenant_id::text AS tenant_id, session_id, turns, updated_at FROM memory_sessions WHERE session_id = $1${inTenant} ORDER BY tenant_id`,
        ...args,
      ),
      responses: await tx.$queryRawUnsafe<Found['responses']>(
        `SELECT tenant_id::text AS tenant_id, id, session_id, record, created_at FROM memory_responses
         WHERE (session_id = $1 OR record -> 'metadata' ->> 'subject' = $1)${inTenant} ORDER BY tenant_id, created_at, id`,
        ...args,
      ),
    }));
  };
  return {
    name: 'session-window',
    async exportSubject(request) {
      const found = await find(request.subjectId, request.tenantId);
      return [
        ...found.sessions.map((row) => ({ kind: 'session_window', tenantId: row.tenant_id, id: row.session_id, createdAt: null, updatedAt: iso(row.updated_at), data: { turns: json(row.turns) } })),
        ...found.responses.map((row) => ({ kind: 'stored_response', tenantId: row.tenant_id, id: row.id, createdAt: iso(row.created_at), updatedAt: null, data: json(row.record) })),
      ];
    },
    async eraseSubject(request) {
      const found = await find(request.subjectId, request.tenantId);
      const tenants = new Set([...found.sessions, ...found.responses].map((row) => row.tenant_id));
      let erased = 0;
      for (const tenantId of tenants) {
        const sessions = found.sessions.filter((row) => row.tenant_id === tenantId).map((row) => row.session_id);
        const responses = found.responses.filter((row) => row.tenant_id === tenantId).map((row) => row.id);
        erased += await db.withTenant(tenantId, async (tx) => {
          const windows = await tx.memorySession.deleteMany({ where: { tenantId, sessionId: { in: sessions } } });
          const stored = await tx.memoryResponse.deleteMany({ where: { tenantId, id: { in: responses } } });
          return windows.count + stored.count;
        });
        if (options.fast) {
          for (const sessionId of sessions) await options.fast.deleteSession(tenantId, sessionId);
          for (const id of responses) await options.fast.deleteResponse(tenantId, id);
        }
      }
      return { erased };
    },
  };
}

/**
 * Retention of the snapshot (`switchyard_memory_window_expire`, platform scope): rows past their
 * TTL and rows older than their tenant's default classification allows. Returns the rows deleted.
 */
export async function expireSessionSnapshots(db: Database, now: Date, retentionDays: Readonly<Record<DataClassification, number>>): Promise<number> {
  const [row] = await db.withPlatform((tx) =>
    tx.$queryRawUnsafe<{ deleted: bigint | number }[]>(`SELECT switchyard_memory_window_expire($1::timestamptz, $2::jsonb) AS deleted`, now.toISOString(), JSON.stringify(retentionDays)),
  );
  return Number(row?.deleted ?? 0);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const iso = (value: Date | string): string => (value instanceof Date ? value : new Date(value)).toISOString();
const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);
