import type pg from 'pg';

/**
 * One round trip less per transaction: a `BEGIN` sent on a pooled connection is held back and
 * travels with the transaction's first statement when that statement has no parameters (a simple
 * query may hold several statements: `BEGIN;SELECT set_config(…)`). That first statement is, by
 * construction, the scope statement of every tenant transaction (`withTenant`) and of the
 * platform's lookup batches, so BEGIN + scope cost one round trip instead of two (on this kind
 * of host every socket write is expensive: pg's writes were ~8 % of the admin plane's CPU).
 *
 * Nothing else changes: the statements reach the server in the same order on the same session.
 * A first statement with parameters (extended protocol, which takes one statement) gets the BEGIN
 * sent just before it, as without this. A COMMIT or ROLLBACK right after a held BEGIN is answered
 * here, because the server never opened that transaction. A connection released while a BEGIN is
 * held (never the case with Prisma, which always ends a transaction) forgets it, so no later user
 * of the pooled session inherits a transaction.
 */
export function deferBeginOnConnect(pool: pg.Pool): void {
  const held = new WeakSet<pg.ClientBase>();
  pool.on('connect', (client) => {
    // The adapter calls `client.query(config)`; wrapping this one client instance (not pg's
    // prototype) keeps the behaviour to this pool's sessions.
    const send = client.query.bind(client) as (...args: unknown[]) => unknown;
    const query = (...args: unknown[]): unknown => {
      const config = plainQueryConfig(args);
      const command = config && parameterless(config) ? config.text.trim().toUpperCase() : null;
      if (!held.has(client)) {
        if (command !== 'BEGIN') return send(...args);
        held.add(client);
        return Promise.resolve(emptyResult('BEGIN'));
      }
      held.delete(client);
      if (command === 'COMMIT' || command === 'ROLLBACK') return Promise.resolve(emptyResult(command));
      if (config && command !== null) {
        return (send({ ...config, text: `BEGIN;${config.text}` }) as Promise<pg.QueryResult | pg.QueryResult[]>).then(lastResult);
      }
      if (config) return (send('BEGIN') as Promise<unknown>).then(() => send(...args));
      // Callback or submittable forms (not the adapter's): pg runs a connection's queries in
      // order, so the BEGIN queued first still precedes the statement; its failure fails that one.
      (send('BEGIN') as Promise<unknown>).catch(() => undefined);
      return send(...args);
    };
    client.query = query as typeof client.query;
  });
  pool.on('release', (_error: Error | undefined, client: pg.PoolClient) => {
    held.delete(client);
  });
}

interface PlainQueryConfig {
  text: string;
  values?: unknown;
  name?: unknown;
  rows?: unknown;
  queryMode?: unknown;
}

/** A single config-object argument (the promise form), or null for every other call shape. */
function plainQueryConfig(args: readonly unknown[]): PlainQueryConfig | null {
  if (args.length !== 1) return null;
  const [first] = args;
  if (typeof first !== 'object' || first === null) return null;
  const candidate = first as Record<string, unknown>;
  if (typeof candidate['submit'] === 'function' || typeof candidate['text'] !== 'string') return null;
  return candidate as unknown as PlainQueryConfig;
}

/** pg sends these with the simple protocol, which accepts several statements in one message. */
function parameterless(config: PlainQueryConfig): boolean {
  const noValues = config.values === undefined || (Array.isArray(config.values) && config.values.length === 0);
  return noValues && !config.name && !config.rows && config.queryMode !== 'extended';
}

function emptyResult(command: string): pg.QueryResult {
  return { command, rowCount: null, oid: 0, rows: [], fields: [] };
}

/** A multi-statement simple query answers with one result per statement: the caller sent one. */
function lastResult(result: pg.QueryResult | pg.QueryResult[]): pg.QueryResult {
  return Array.isArray(result) ? (result[result.length - 1] as pg.QueryResult) : result;
}
