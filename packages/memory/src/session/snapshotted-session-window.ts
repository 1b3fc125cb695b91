import { responseBytes, trimWindow } from './session-records';
import { DEFAULT_SESSION_WINDOW_LIMITS, type SessionTurn, type SessionWindow, type SessionWindowLimits, type StoredResponse } from './session-window';

/**
 * The durable copy of the session window (Postgres or PGlite: `./database-session-snapshot.ts`).
 * Written after the fast store, read only when the fast store misses (it restarted empty, or
 * another region wrote the conversation), so no request waits on it while Redis has the data.
 */
export interface SessionSnapshotStore {
  saveResponse(tenantId: string, response: StoredResponse, bytes: number, expiresAt: Date): Promise<void>;
  /** Null when unknown, expired, or another tenant's. */
  loadResponse(tenantId: string, id: string): Promise<StoredResponse | null>;
  deleteResponse(tenantId: string, id: string): Promise<boolean>;
  saveWindow(tenantId: string, sessionId: string, turns: readonly SessionTurn[], expiresAt: Date): Promise<void>;
  /** Null when unknown or expired. */
  loadWindow(tenantId: string, sessionId: string): Promise<SessionTurn[] | null>;
  /** Deletes the session's window and every response stored under it; the deleted responses' ids (the fast store drops them too). */
  deleteSession(tenantId: string, sessionId: string): Promise<{ existed: boolean; responseIds: string[] }>;
}

export interface SnapshottedSessionWindowOptions {
  limits?: Partial<SessionWindowLimits>;
  /** A snapshot write failed (the fast store has the data; it is lost only if that store loses it too before the next write). */
  onSnapshotError?: (error: unknown, what: 'response' | 'window' | 'delete') => void;
  /** Told about each read the fast store missed and the snapshot answered (metrics). */
  onRestored?: (what: 'response' | 'window') => void;
}

/**
 * A session window (Redis, or in-process) with a durable snapshot beneath it: writes go to both
 * (the fast store first: it enforces the quota, so nothing past it reaches the snapshot), reads go
 * to the fast store and fall back to the snapshot, putting what they found back into the fast
 * store. A Redis restarted empty therefore loses no stored conversation. Deletes reach both before
 * they are acknowledged, so a deleted response cannot come back from the snapshot.
 */
export function createSnapshottedSessionWindow(fast: SessionWindow, snapshot: SessionSnapshotStore, options: SnapshottedSessionWindowOptions = {}): SessionWindow {
  const limits = { ...DEFAULT_SESSION_WINDOW_LIMITS, ...options.limits };
  const expiry = () => new Date(Date.now() + limits.ttlSeconds * 1000);
  const reported = (what: 'response' | 'window' | 'delete') => (error: unknown) => {
    options.onSnapshotError?.(error, what);
    throw error;
  };
  // Appends to one session run one after another in this process: a restore from the snapshot
  // cannot interleave with another append (which would repeat turns), and snapshot writes land in
  // the order of the windows they copy. (Across replicas, two appends to one session at the same
  // instant can still leave the snapshot one append behind until the session's next turn.)
  const sessionQueues = new Map<string, Promise<unknown>>();
  const serially = <T>(key: string, task: () => Promise<T>): Promise<T> => {
    const previous = sessionQueues.get(key) ?? Promise.resolve();
    const run = previous.then(task, task);
    const tail = run.catch(() => undefined);
    sessionQueues.set(key, tail);
    void tail.then(() => {
      if (sessionQueues.get(key) === tail) sessionQueues.delete(key);
    });
    return run;
  };

  const appendThrough = async (tenantId: string, sessionId: string, turns: readonly SessionTurn[]): Promise<SessionTurn[]> => {
    let window = await fast.recentTurns(tenantId, sessionId, limits.maxTurns);
    if (window.length === 0) {
      // The fast store lost (or never had) this session: continue from the snapshot's window.
      const restored = await snapshot.loadWindow(tenantId, sessionId);
      if (restored && restored.length > 0) {
        options.onRestored?.('window');
        window = await fast.appendTurns(tenantId, sessionId, [...restored, ...turns]);
      } else window = await fast.appendTurns(tenantId, sessionId, turns);
    } else window = await fast.appendTurns(tenantId, sessionId, turns);
    await snapshot.saveWindow(tenantId, sessionId, trimWindow(window, limits), expiry()).catch(reported('window'));
    return window;
  };

  return {
    kind: `${fast.kind}+snapshot`,
    async putResponse(tenantId, response) {
      await fast.putResponse(tenantId, response);
      try {
        await snapshot.saveResponse(tenantId, response, responseBytes(response), expiry());
      } catch (error) {
        // Stored in both or in neither: a response only the fast store holds would vanish with it.
        await fast.deleteResponse(tenantId, response.id).catch(() => undefined);
        reported('response')(error);
      }
    },
    async getResponse(tenantId, id) {
      const hit = await fast.getResponse(tenantId, id);
      if (hit) return hit;
      const restored = await snapshot.loadResponse(tenantId, id);
      if (!restored) return null;
      options.onRestored?.('response');
      // Back into the fast store for the next read; over quota (it restarted with other data) the snapshot still serves it.
      await fast.putResponse(tenantId, restored).catch(() => undefined);
      return restored;
    },
    async deleteResponse(tenantId, id) {
      const [inFast, inSnapshot] = await Promise.all([fast.deleteResponse(tenantId, id), snapshot.deleteResponse(tenantId, id).catch(reported('delete'))]);
      return inFast || inSnapshot;
    },
    appendTurns: (tenantId, sessionId, turns) => serially(`${tenantId}\u0000${sessionId}`, () => appendThrough(tenantId, sessionId, turns)),
    async recentTurns(tenantId, sessionId, count) {
      if (count <= 0) return [];
      const hit = await fast.recentTurns(tenantId, sessionId, count);
      if (hit.length > 0) return hit;
      // A miss: restore once, in the session's queue (a concurrent read or append may have restored it already).
      return serially(`${tenantId}\u0000${sessionId}`, async () => {
        const again = await fast.recentTurns(tenantId, sessionId, count);
        if (again.length > 0) return again;
        const restored = await snapshot.loadWindow(tenantId, sessionId);
        if (!restored || restored.length === 0) return [];
        options.onRestored?.('window');
        await fast.appendTurns(tenantId, sessionId, restored).catch(() => undefined);
        return restored.slice(-count);
      });
    },
    async deleteSession(tenantId, sessionId) {
      // The snapshot first: it knows every response of the session, even ones the fast store lost or never restored.
      const durable = await snapshot.deleteSession(tenantId, sessionId).catch(reported('delete'));
      const inFast = await fast.deleteSession(tenantId, sessionId);
      // A response restored into the fast store under an older session index is dropped by id as well.
      const stragglers = await Promise.all(durable.responseIds.map((id) => fast.deleteResponse(tenantId, id)));
      return durable.existed || inFast || stragglers.some(Boolean);
    },
    usage: (tenantId) => fast.usage(tenantId),
    close: () => fast.close(),
  };
}
