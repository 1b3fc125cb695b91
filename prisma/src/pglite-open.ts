import type { PGlite, PGliteOptions } from '@electric-sql/pglite';

/**
 * Every PGlite this package opens carries pgvector (the embedded default's vector memory searches
 * with it). Postgres servers here have no pgvector, so the migrations cannot create the extension:
 * it is created here, on PGlite only, as its superuser; the tables keep `real[]` embeddings that
 * both engines store and PGlite casts to `vector` when it searches.
 */
export async function openPglite(options: PGliteOptions = {}): Promise<PGlite> {
  // Loaded here, not at the top: a service on Postgres never loads PGlite (its modules cost about
  // 5 MB of RSS; a bundle hoists a static import of an npm package to load with the bundle).
  const [{ PGlite }, { vector }] = await Promise.all([import('@electric-sql/pglite'), import('@electric-sql/pglite-pgvector')]);
  const pglite = await PGlite.create({ ...options, extensions: { ...options.extensions, vector } });
  await pglite.exec('CREATE EXTENSION IF NOT EXISTS vector');
  return pglite;
}
