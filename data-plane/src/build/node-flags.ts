/**
 * The Node flags a production data plane runs with: `npm start` (package.json), the container's
 * CMD (deploy/src/deployables.ts) and the benchmark's gateway (e2e/bench/processes.ts) use these.
 *
 * - `--max-semi-space-size=32`: a 32 MB young generation instead of 16 MB. A request's garbage is
 *   short-lived, so fewer, no costlier scavenges: gateway CPU per request fell by about 15–25 %
 *   under load in an A/B run, at about 8 MB of idle RSS.
 * - `--wasm-lazy-compilation --liftoff-only`: WebAssembly compiled function by function when first
 *   called, by the baseline compiler only. Prisma's query compiler is a 3.4 MB wasm module:
 *   compiled eagerly, then optimised on background threads, it left about 70 MB of RSS (malloc
 *   arenas, code) behind at an idle replica's first query, more than a third of its footprint.
 *   Its queries are off the request path (cached key auth, the background price book); undici's
 *   HTTP parser is the other wasm module, measured in BENCHMARKS.md (streams, CPU per stream).
 */
export const DATA_PLANE_NODE_FLAGS = ['--max-semi-space-size=32', '--wasm-lazy-compilation', '--liftoff-only'] as const;
