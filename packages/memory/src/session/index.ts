// @switchyard/memory/session: the session window port, its implementations and the memory_io instrumentation.
export {
  DEFAULT_SESSION_WINDOW_LIMITS,
  SessionQuotaExceededError,
  type SessionTurn,
  type SessionWindow,
  type SessionWindowLimits,
  type StoredResponse,
  type TenantMemoryUsage,
  type TurnRole,
} from './session-window';
export { trimWindow } from './session-records';
export { createInProcessSessionWindow, type InProcessSessionWindowOptions } from './in-process-session-window';
export { createRedisSessionWindow, type RedisSessionWindowOptions } from './redis-session-window';
export { createSnapshottedSessionWindow, type SessionSnapshotStore, type SnapshottedSessionWindowOptions } from './snapshotted-session-window';
export { instrumentSessionWindow, MEMORY_IO, type MemoryIoObservation, type MemoryOperation } from './instrumented-session-window';
export type { SessionCursor, SessionDirectory, SessionSummary } from './session-directory';
