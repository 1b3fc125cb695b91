import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { openPglite } from './pglite-open';

// Creating a PGlite runs initdb inside wasm: seconds of CPU per instance. Tests instead load a
// data-directory snapshot taken once (cached in memory and in the OS temp dir, keyed by
// PGlite's version and by what was prepared in it), which is several times faster.
const snapshotDir = join(tmpdir(), 'switchyard-pglite-snapshots');
const inProcess = new Map<string, Promise<Blob>>();
const gzipType = 'application/x-gzip';

let pgliteVersion: Promise<string> | undefined;
function installedPgliteVersion(): Promise<string> {
  pgliteVersion ??= (async () => {
    const require = createRequire(import.meta.url);
    const entry = require.resolve('@electric-sql/pglite');
    const manifest = await readFile(join(entry, '..', '..', 'package.json'), 'utf8').catch(() => entry);
    return createHash('sha256').update(manifest).digest('hex').slice(0, 16);
  })();
  return pgliteVersion;
}

/**
 * A new in-memory PGlite whose data directory is the snapshot named `key`; the first caller
 * (across processes, via the temp dir) builds it with `prepare` on a fresh PGlite.
 */
export async function pgliteFromSnapshot(key: string, prepare: (db: PGlite) => Promise<void>): Promise<PGlite> {
  const fullKey = `${key}-${await installedPgliteVersion()}`;
  let snapshot = inProcess.get(fullKey);
  if (!snapshot) {
    snapshot = loadOrBuildSnapshot(fullKey, prepare);
    inProcess.set(fullKey, snapshot);
    snapshot.catch(() => inProcess.delete(fullKey));
  }
  return openPglite({ loadDataDir: await snapshot });
}

async function loadOrBuildSnapshot(key: string, prepare: (db: PGlite) => Promise<void>): Promise<Blob> {
  const file = join(snapshotDir, `${key}.tar.gz`);
  const cached = await readFile(file).catch(() => undefined);
  if (cached) return new Blob([cached], { type: gzipType });
  const db = await openPglite();
  try {
    await prepare(db);
    const dump = await db.dumpDataDir('gzip');
    const bytes = new Uint8Array(await dump.arrayBuffer());
    await mkdir(snapshotDir, { recursive: true });
    // Write then rename: concurrent builders never expose a half-written snapshot.
    const partial = `${file}.${randomBytes(4).toString('hex')}.partial`;
    await writeFile(partial, bytes);
    await rename(partial, file);
    return new Blob([bytes], { type: gzipType });
  } finally {
    await db.close();
  }
}
