import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';

/**
 * The workspace's own packages export TypeScript sources, so a service normally runs under tsx:
 * a module-loader thread with its own V8 isolate (~35 MB RSS) and esbuild's name-keeping helpers
 * on every closure. A production service is bundled instead: its code and every `@switchyard/*`
 * package are compiled into one ES module; npm packages stay external (resolved from
 * node_modules at run time, with their own native and wasm files in place).
 */
const WORKSPACE_SCOPE = '@switchyard/';

/**
 * npm packages bundled anyway: OpenTelemetry's packages declare no `exports`, so Node loads their
 * CommonJS `main`, whose named exports (`defaultResource`, …) its ES-module loader cannot see
 * (`SyntaxError: Named export … not found` before the first line runs); esbuild's interop can.
 */
const BUNDLED_NPM_SCOPES = ['@opentelemetry/'];

/** npm packages stay imports; relative paths, workspace packages and BUNDLED_NPM_SCOPES are bundled. */
const externalNpmPackages: Plugin = {
  name: 'external-npm-packages',
  setup(builder) {
    const bundled = (specifier: string) => specifier.startsWith(WORKSPACE_SCOPE) || specifier.startsWith('node:') || BUNDLED_NPM_SCOPES.some((scope) => specifier.startsWith(scope));
    builder.onResolve({ filter: /^[^./]/ }, (args) => (bundled(args.path) ? undefined : { path: args.path, external: true }));
  },
};

/**
 * Modules that find files next to themselves (migrations, the schema, ERRORS.md) use
 * `import.meta.url`; in a bundle it would name the bundle. Each source keeps its own URL.
 */
const ownImportMetaUrl: Plugin = {
  name: 'own-import-meta-url',
  setup(builder) {
    builder.onLoad({ filter: /\.ts$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/** Bundles `entry` into `outfile` (ESM for Node 20, with a source map so stack traces name the TypeScript sources). */
export async function bundleService(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [path.resolve(entry)],
    outfile: path.resolve(outfile),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    // Inlined CommonJS (BUNDLED_NPM_SCOPES) requires Node built-ins: an ES module has no `require`, so give it one.
    banner: { js: "import { createRequire as __switchyardCreateRequire } from 'node:module'; const require = __switchyardCreateRequire(import.meta.url);" },
    logLevel: 'warning',
    plugins: [externalNpmPackages, ownImportMetaUrl],
  });
}
