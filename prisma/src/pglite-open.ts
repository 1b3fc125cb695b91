import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';

/**
 * Every PGlite this package opens carries pgvector (the embedded default's vector memory searches
 * with it). Postgres servers here have no pgvector, so the migrations cannot create the extension:
 * it is created here, on PGlite only, as its superuser; the tables keep `real[]` embeddings that
 * both engines store and PGlite casts to `vector` when it searches.
 */
export async function openPglite(options: PGliteOptions = {}): Promise<PGlite> {
  const pglite = await PGlite.create({ ...options, extensions: { ...options.extensions, vector } });
  await pglite.exec('CREATE EXTENSION IF NOT EXISTS vector');
  return pglite;
}
