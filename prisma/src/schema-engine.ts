import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';

// The package entry imports its .wasm as an ES module, which Node 20 only allows behind
// --experimental-wasm-modules. Instantiating the same bytes by hand works with or without the
// flag, so tests and CLIs do not depend on NODE_OPTIONS (the scripts still set it).
let bindingsReady: Promise<void> | undefined;

// The base tsconfig has no DOM lib, so declare the one WebAssembly call we make.
interface WebAssemblyApi {
  instantiate(bytes: Uint8Array, imports: Record<string, object>): Promise<{ instance: { exports: object } }>;
}
const webAssembly = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

function loadEngineBindings(): Promise<void> {
  bindingsReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const wasmPath = join(dirname(require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')), 'schema_engine_bg.wasm');
    const bytes = await readFile(wasmPath);
    const { instance } = await webAssembly.instantiate(bytes, { './schema_engine_bg.js': engineBindings });
    engineBindings.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
  })();
  return bindingsReady;
}

export interface SchemaFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Starts the wasm schema engine on a driver adapter (Postgres or PGlite). It never opens a
 * connection of its own: every statement goes through `adapterFactory`.
 */
export async function startSchemaEngine(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: SchemaFile,
): Promise<SchemaEngine> {
  await loadEngineBindings();
  return engineBindings.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
}

const noFilters = { externalTables: [], externalEnums: [] };

/**
 * SQL that takes the database behind the engine's adapter to the state `schema` describes
 * (empty string when they already agree).
 */
export async function diffDatabaseToSchema(engine: SchemaEngine, schema: SchemaFile): Promise<string> {
  const result = await engine.diff({
    from: { tag: 'schemaDatasource', files: [{ path: schema.path, content: schema.content }], configDir: dirname(schema.path) },
    to: { tag: 'schemaDatamodel', files: [{ path: schema.path, content: schema.content }] },
    script: true,
    exitCode: null,
    filters: noFilters,
  });
  return isEmptyMigration(result.stdout ?? '') ? '' : (result.stdout ?? '');
}

/** True when a script has no statements (the engine answers "-- This is an empty migration."). */
export function isEmptyMigration(script: string): boolean {
  return script
    .split('\n')
    .map((line) => line.trim())
    .every((line) => line === '' || line.startsWith('--'));
}
