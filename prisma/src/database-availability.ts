import pg from 'pg';
import type { Database } from './database';
import { DatabaseError } from './database';

/**
 * Postgres going away (a restart, a failover, an operator's pg_terminate_backend) must never take
 * a process down, and callers must be able to tell "the database is unreachable, retry" from a bug.
 *
 * node-postgres emits `error` on a client whose backend dies: on the pool while the client idles
 * (the pool's idle listener re-emits it on the pool) and on the client itself while it is checked
 * out. @prisma/adapter-pg listens on a checked-out client only for the span of an interactive
 * transaction, and pg-pool's own query path only `once`, so a second error, or one between a
 * transaction's end and the client's release, was an unhandled `error` event that ended the
 * process (prisma/orm#27641). Every client of the pool therefore gets a listener for its whole life
 * when it connects, and the pool one too. The failure still reaches the caller through its query;
 * the broken client is dropped by the pool on release (it is no longer queryable) and the next
 * query connects afresh.
 */
export function createPostgresPool(url: string, onConnectionError: (error: Error) => void = () => undefined, sessionOptions?: string): pg.Pool {
  // Startup options (`-c name=value`) the server applies when each connection opens, after any the URL names.
  const options = [new URL(url).searchParams.get('options'), sessionOptions].filter(Boolean).join(' ');
  const pool = new pg.Pool({
    connectionString: url,
    // Without a bound, a query waits forever for a connection while the server is unreachable.
    connectionTimeoutMillis: 5_000,
    keepAlive: true,
    ...(options ? { options } : {}),
  });
  pool.on('error', onConnectionError);
  pool.on('connect', (client) => {
    client.on('error', onConnectionError);
  });
  return pool;
}

/** SQLSTATE classes meaning the server or the connection went away (08: connection exception; 57P0x: shutdown, terminated; 53300: too many connections). */
const UNAVAILABLE_SQLSTATE = /^(08[0-9A-Z]{3}|57P0[1-5]|53300)$/;
/** Prisma's codes for an unreachable server, a timeout, a closed connection, a pool timeout. */
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
/** Socket-level failures. */
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** Driver adapter error kinds for the same. */
const UNAVAILABLE_ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError']);
/** What node-postgres says when a connection dies or cannot be had (these errors carry no code). */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|not queryable|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection|Raw query failed\. Code: `(08[0-9A-Z]{3}|57P0[1-5]|53300)`|Database error\. Code: `(08[0-9A-Z]{3}|57P0[1-5]|53300)`/;

/**
 * True when `error` says the database could not be reached or dropped the connection, so the same
 * request can succeed once it is back (never for a constraint violation, a bad query or a bug).
 */
export function isDatabaseUnavailableError(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== null && typeof current === 'object'; depth += 1) {
    if (current instanceof DatabaseError) return current.code === 'DATABASE_UNAVAILABLE';
    const fields = current as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown };
    if (typeof fields.code === 'string') {
      if (UNAVAILABLE_PRISMA_CODES.has(fields.code) || UNAVAILABLE_NODE_CODES.has(fields.code) || UNAVAILABLE_SQLSTATE.test(fields.code)) return true;
    }
    if (typeof fields.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(fields.kind)) return true;
    if (typeof fields.message === 'string' && UNAVAILABLE_MESSAGE.test(fields.message)) return true;
    current = fields.cause;
  }
  return false;
}

/**
 * Wraps a Database so that every failure of reaching the database surfaces as
 * `DatabaseError('DATABASE_UNAVAILABLE')` (the original as its cause); other errors pass unchanged.
 */
export function withUnavailableErrors(db: Database): Database {
  const translate = (error: unknown): never => {
    if (error instanceof DatabaseError || !isDatabaseUnavailableError(error)) throw error;
    throw new DatabaseError('DATABASE_UNAVAILABLE', 'The database is unreachable or dropped the connection; retry shortly.', { cause: error });
  };
  return {
    kind: db.kind,
    migrate: () => db.migrate().catch(translate),
    withTenant: (tenantId, fn) => db.withTenant(tenantId, fn).catch(translate),
    withPlatform: (fn, options) => db.withPlatform(fn, options).catch(translate),
    readAsTenant: (tenantId, fn) => db.readAsTenant(tenantId, fn).catch(translate),
    readAsPlatform: (fn) => db.readAsPlatform(fn).catch(translate),
    resolveApiKey: (hash) => db.resolveApiKey(hash).catch(translate),
    resolveApiKeys: (hashes) => db.resolveApiKeys(hashes).catch(translate),
    resolveMemberships: (subject, email) => db.resolveMemberships(subject, email).catch(translate),
    touchApiKeys: (uses) => db.touchApiKeys(uses).catch(translate),
    latestPriceBook: () => db.latestPriceBook().catch(translate),
    close: () => db.close(),
  };
}
