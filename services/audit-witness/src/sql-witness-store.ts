import { PGlite } from '@electric-sql/pglite';
import type { Checkpoint } from '@switchyard/ledger';
import pg from 'pg';
import type { RegionLedgerView, WitnessStore } from './witness-store';

type Query = (text: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;

interface SqlDatabase {
  query: Query;
  transaction<T>(work: (query: Query) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * The witness's own table (its own database: the witness is a separate trust domain from the
 * regions', so it does not share their schema or migrations). Rows are never changed or deleted:
 * a trigger refuses it, so a bug or a stray statement cannot rewrite the evidence.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS witness_checkpoints (
  region      text        NOT NULL,
  tree_size   bigint      NOT NULL CHECK (tree_size > 0),
  root_hash   text        NOT NULL,
  log_id      text        NOT NULL,
  issued_at   text        NOT NULL,
  signature   text        NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (region, tree_size)
);
CREATE OR REPLACE FUNCTION witness_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'witness_checkpoints is append-only';
END $$;
DROP TRIGGER IF EXISTS witness_checkpoints_append_only ON witness_checkpoints;
CREATE TRIGGER witness_checkpoints_append_only BEFORE UPDATE OR DELETE ON witness_checkpoints
  FOR EACH ROW EXECUTE FUNCTION witness_checkpoints_append_only();
`;

const COLUMNS = 'log_id, tree_size, root_hash, issued_at, signature';

function checkpointOfRow(row: Record<string, unknown>): Checkpoint {
  return { logId: String(row.log_id), treeSize: Number(row.tree_size), rootHash: String(row.root_hash), issuedAt: String(row.issued_at), signature: String(row.signature) };
}

function viewOf(query: Query, region: string): RegionLedgerView {
  return {
    async latest() {
      const rows = await query(`SELECT ${COLUMNS} FROM witness_checkpoints WHERE region = $1 ORDER BY tree_size DESC LIMIT 1`, [region]);
      return rows[0] ? checkpointOfRow(rows[0]) : null;
    },
    async atSize(treeSize) {
      const rows = await query(`SELECT ${COLUMNS} FROM witness_checkpoints WHERE region = $1 AND tree_size = $2`, [region, treeSize]);
      return rows[0] ? checkpointOfRow(rows[0]) : null;
    },
    async insert(checkpoint) {
      await query(`INSERT INTO witness_checkpoints (region, ${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [region, checkpoint.logId, checkpoint.treeSize, checkpoint.rootHash, checkpoint.issuedAt, checkpoint.signature]);
    },
  };
}

async function storeOver(database: SqlDatabase): Promise<WitnessStore> {
  // Replicas starting together must not race on the trigger's DROP/CREATE: one at a time.
  await database.transaction(async (query) => {
    await query("SELECT pg_advisory_xact_lock(hashtext('switchyard-witness:schema'))", []);
    await query(SCHEMA);
  });
  return {
    withRegion: (region, work) =>
      database.transaction(async (query) => {
        // One judgement per region at a time, across every witness replica on this database.
        await query('SELECT pg_advisory_xact_lock(hashtext($1))', [`switchyard-witness:${region}`]);
        return work(viewOf(query, region));
      }),
    async list(region) {
      return (await database.query(`SELECT ${COLUMNS} FROM witness_checkpoints WHERE region = $1 ORDER BY tree_size`, [region])).map(checkpointOfRow);
    },
    close: () => database.close(),
  };
}

/** On Postgres (production): the witness's own database, DATABASE_URL. */
export async function openPostgresWitnessStore(url: string): Promise<WitnessStore> {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // A dropped connection must not crash the process: the next query opens a new one.
  pool.on('error', () => undefined);
  const run = (client: pg.Pool | pg.PoolClient): Query => async (text, params) => (params === undefined ? (await client.query(text)).rows : (await client.query(text, params)).rows) as Array<Record<string, unknown>>;
  return storeOver({
    query: run(pool),
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(run(client));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  });
}

/** The embedded default: PGlite in `dataDir` (or in memory without one: tests). */
export async function openEmbeddedWitnessStore(dataDir?: string): Promise<WitnessStore> {
  const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  const run = (target: Pick<PGlite, 'query' | 'exec'>): Query => async (text, params) => {
    if (params === undefined) {
      const results = await target.exec(text);
      return (results.at(-1)?.rows ?? []) as Array<Record<string, unknown>>;
    }
    return (await target.query<Record<string, unknown>>(text, params)).rows;
  };
  return storeOver({
    query: run(db),
    transaction: (work) => db.transaction((tx) => work(run(tx))),
    close: () => db.close(),
  });
}
