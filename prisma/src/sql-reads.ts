import type { PGlite, Transaction as PgliteTransaction } from '@electric-sql/pglite';
import pg from 'pg';

/**
 * Hand-written SQL reads for the admin plane's hottest lists, sent straight to the driver instead
 * of through Prisma's client runtime. Prisma stays the way everything else reaches the database;
 * this exists because its query interpreter and result mapping were ~17 % of the platform process's
 * CPU on the admin benchmark (issue 16), and a raw statement through Prisma still pays most of that.
 *
 * Same scopes and guarantees as `withTenant` / `withPlatform`: the same pools and roles on
 * Postgres (a tenant read is BEGIN READ ONLY + the same scope statement, the read, COMMIT on the
 * tenant pool that logs in as `switchyard_app`; a platform read is one statement on the platform
 * pool whose sessions start as `switchyard_platform`), and on PGlite the same role switch inside
 * PGlite's own transaction (which queues behind Prisma's, as the adapter's do).
 */
export interface SqlReader {
  /**
   * The rows of one read-only statement with positional parameters ($1, $2, …). Values come back
   * as the driver parses them, with int8 as bigint on both engines: timestamptz as Date, uuid and
   * text as string, arrays as arrays, numeric as string, enums as string.
   */
  rows<Row extends object>(text: string, values?: readonly unknown[]): Promise<Row[]>;
}

const INT8_OID = 20;
const parseInt8 = (value: string): bigint => BigInt(value);

/** pg parses int8 as a string by default; only this reader's queries parse it as bigint (pg's global parsers stay untouched). */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? parseInt8 : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

function pgReader(queryable: pg.Pool | pg.PoolClient): SqlReader {
  return {
    async rows<Row extends object>(text: string, values: readonly unknown[] = []) {
      const result = await queryable.query<Row>({ text, values: [...values], types: pgTypes });
      return result.rows;
    },
  };
}

/** A tenant read on the tenant pool: one read-only transaction in the tenant's scope. */
export async function readOnTenantPool<T>(pool: pg.Pool, scopeStatement: string, fn: (sql: SqlReader) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    // One simple query (one round trip): the transaction opens read only and enters the scope.
    await client.query(`BEGIN READ ONLY;${scopeStatement}`);
    const result = await fn(pgReader(client));
    await client.query('COMMIT');
    client.release();
    return result;
  } catch (error) {
    // No transaction may stay open on a pooled session; one that cannot even roll back is dropped.
    const rolledBack = await client.query('ROLLBACK').then(
      () => true,
      () => false,
    );
    client.release(!rolledBack);
    throw error;
  }
}

/** A platform read: each statement on its own on the platform pool (its sessions already are the platform role). */
export function readOnPlatformPool<T>(pool: pg.Pool, fn: (sql: SqlReader) => Promise<T>): Promise<T> {
  return fn(pgReader(pool));
}

const pgliteParsers = { [INT8_OID]: parseInt8 };

function pgliteReader(tx: PgliteTransaction): SqlReader {
  return {
    async rows<Row extends object>(text: string, values: readonly unknown[] = []) {
      const result = await tx.query<Row>(text, [...values], { parsers: pgliteParsers });
      return result.rows;
    },
  };
}

/**
 * A read on PGlite's one connection: its own transaction (PGlite's mutex, shared with Prisma's
 * adapter, so nothing interleaves), read only, in the scope `scopeStatement` sets (role, and tenant
 * or platform marker), reverted at its end.
 */
export function readOnPglite<T>(pglite: PGlite, scopeStatement: string, fn: (sql: SqlReader) => Promise<T>): Promise<T> {
  return pglite.transaction(async (tx) => {
    await tx.exec(`SET TRANSACTION READ ONLY;${scopeStatement}`);
    return fn(pgliteReader(tx));
  });
}
