import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mockEmbedding } from '@switchyard/data-plane/mock-provider';
import { randomUUID } from 'node:crypto';
import { seed } from '@switchyard/db';
import { createMemoryTestDatabase } from '@switchyard/db/testing';
import { HnswIndex, mulberry32 } from '@switchyard/vector-memory/hnsw';
import { createPgvectorVectorMemory } from '@switchyard/vector-memory/database';

/**
 * `npm run bench -- --vectors`: the vector memory's search engine for Postgres deployments (the
 * in-process HNSW index, `@switchyard/vector-memory/hnsw`) on 100,000 vectors: build time,
 * recall@10 against exact search and query latency (p50, p99) per search list size `ef`, with the
 * exact search (a flat scan of the same float32 vectors, the baseline) timed in the same run.
 *
 * Two data sets of 256 dimensions: the gateway's own embedding model (`mock-embed-1`: hashed
 * words) over synthetic sentences, and clustered Gaussian vectors (closer to the neighbourhood
 * structure of learned embeddings). Writes bench-results/vectors.json and its BENCHMARKS.md section.
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const quick = process.argv.includes('--quick');
const N = quick ? 20_000 : 100_000;
const QUERIES = quick ? 200 : 1_000;
const DIMENSIONS = 256;
const K = 10;
const EFS = [16, 32, 64, 128, 256];
/** Fewer queries for PGlite: each is a scan of the whole collection. */
const PGVECTOR_QUERIES = quick ? 20 : 100;
/** PGlite's collection: inserting runs at a few ms per row in WASM here, so 10,000 rows, not 100,000. */
const PGVECTOR_ROWS = quick ? 2_000 : 10_000;
const M = 16;
const EF_CONSTRUCTION = 100;
const log = (line: string) => process.stderr.write(`[bench vectors ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

interface DataSet {
  name: string;
  vectors: Float32Array[];
  queries: Float32Array[];
}

/** Synthetic sentences: 6-16 words drawn Zipf-like from a 20,000-word vocabulary, embedded by mock-embed-1. */
function sentences(): DataSet {
  const random = mulberry32(11);
  const vocabulary = Array.from({ length: 20_000 }, (_, i) => `w${i.toString(36)}`);
  const word = () => vocabulary[Math.min(vocabulary.length - 1, Math.floor(Math.exp(random() * Math.log(vocabulary.length))) - 1)]!;
  const sentence = () => Array.from({ length: 6 + Math.floor(random() * 11) }, word).join(' ');
  const embed = () => Float32Array.from(mockEmbedding('mock-embed-1', sentence(), DIMENSIONS));
  return { name: 'mock-embed-1 sentences', vectors: Array.from({ length: N }, embed), queries: Array.from({ length: QUERIES }, embed) };
}

/** 1,000 Gaussian clusters (unit-variance centres, spread 0.5 per dimension). */
function clusters(): DataSet {
  const random = mulberry32(12);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const centres = Array.from({ length: 1_000 }, () => Float32Array.from({ length: DIMENSIONS }, gaussian));
  const point = () => {
    const centre = centres[Math.floor(random() * centres.length)]!;
    return Float32Array.from(centre, (value) => value + 0.5 * gaussian());
  };
  return { name: 'clustered Gaussian', vectors: Array.from({ length: N }, point), queries: Array.from({ length: QUERIES }, point) };
}

function unit(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  const scale = norm === 0 ? 0 : 1 / Math.sqrt(norm);
  return vector.map((value) => value * scale);
}

/** The baseline: exact top k by a flat scan over one contiguous float32 matrix of unit vectors. */
function flatScan(matrix: Float32Array, count: number, query: Float32Array, k: number): number[] {
  const best: Array<{ id: number; score: number }> = [];
  for (let row = 0; row < count; row += 1) {
    const offset = row * DIMENSIONS;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < DIMENSIONS; i += 4) {
      s0 += query[i]! * matrix[offset + i]!;
      s1 += query[i + 1]! * matrix[offset + i + 1]!;
      s2 += query[i + 2]! * matrix[offset + i + 2]!;
      s3 += query[i + 3]! * matrix[offset + i + 3]!;
    }
    const score = s0 + s1 + s2 + s3;
    if (best.length < k || score > best[best.length - 1]!.score) {
      best.push({ id: row, score });
      best.sort((a, b) => b.score - a.score);
      if (best.length > k) best.pop();
    }
  }
  return best.map((entry) => entry.id);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

function measure(data: DataSet) {
  log(`${data.name}: ${N} vectors, ${DIMENSIONS} dimensions`);
  const index = new HnswIndex({ dimensions: DIMENSIONS, m: M, efConstruction: EF_CONSTRUCTION, seed: 1 });
  const buildStart = performance.now();
  data.vectors.forEach((vector, i) => {
    index.add(String(i), vector);
    if ((i + 1) % 20_000 === 0) log(`  built ${i + 1}`);
  });
  const buildSeconds = (performance.now() - buildStart) / 1000;
  log(`  build ${buildSeconds.toFixed(1)} s`);

  const matrix = new Float32Array(N * DIMENSIONS);
  data.vectors.forEach((vector, i) => matrix.set(unit(vector), i * DIMENSIONS));
  const truth: Array<Set<string>> = [];
  const exactMs: number[] = [];
  for (const query of data.queries) {
    const unitQuery = unit(query);
    const started = performance.now();
    const ids = flatScan(matrix, N, unitQuery, K);
    exactMs.push(performance.now() - started);
    truth.push(new Set(ids.map(String)));
  }
  exactMs.sort((a, b) => a - b);
  log(`  exact p50 ${percentile(exactMs, 50).toFixed(2)} ms p99 ${percentile(exactMs, 99).toFixed(2)} ms`);

  const rows = EFS.map((ef) => {
    // One untimed pass warms the JIT for this ef.
    for (const query of data.queries.slice(0, 50)) index.search(query, K, ef);
    const latencies: number[] = [];
    let hits = 0;
    data.queries.forEach((query, q) => {
      const started = performance.now();
      const found = index.search(query, K, ef);
      latencies.push(performance.now() - started);
      hits += found.filter((hit) => truth[q]!.has(hit.id)).length;
    });
    latencies.sort((a, b) => a - b);
    const row = { ef, recall: hits / (data.queries.length * K), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies[latencies.length - 1]! };
    log(`  ef ${ef}: recall@10 ${row.recall.toFixed(4)} p50 ${row.p50Ms.toFixed(3)} ms p99 ${row.p99Ms.toFixed(3)} ms`);
    return row;
  });
  return { name: data.name, buildSeconds, exact: { p50Ms: percentile(exactMs, 50), p99Ms: percentile(exactMs, 99) }, rows };
}

/**
 * The embedded default: the same sentence vectors as rows in PGlite, searched through the port
 * (`createPgvectorVectorMemory`: a transaction, RLS, pgvector's exact `<=>` scan of the collection).
 */
async function measurePgvector(data: DataSet, truthOf: (query: Float32Array) => Set<string>) {
  const queries = data.queries.slice(0, PGVECTOR_QUERIES);
  log(`pgvector in PGlite: inserting ${PGVECTOR_ROWS} rows`);
  const test = await createMemoryTestDatabase();
  try {
    const { demoTenantId: tenantId } = await seed(test.db);
    const vectors = data.vectors.slice(0, PGVECTOR_ROWS);
    const ids: string[] = vectors.map(() => randomUUID());
    const rowOf = new Map(ids.map((id, row) => [id, row]));
    for (let start = 0; start < PGVECTOR_ROWS; start += 500) {
      const values = vectors
        .slice(start, start + 500)
        .map((vector, offset) => `('${ids[start + offset]}', '${tenantId}', 'bench', 'row ${start + offset}', 'mock-embed-1', ${DIMENSIONS}, '{${Array.from(vector).join(',')}}')`)
        .join(',');
      await test.db.withTenant(tenantId, (tx) => tx.$executeRawUnsafe(`INSERT INTO vector_memories (id, tenant_id, collection, text, embedding_model, dimensions, embedding) VALUES ${values}`));
    }
    const memory = createPgvectorVectorMemory(test.db);
    const latencies: number[] = [];
    let hits = 0;
    for (const query of queries) {
      const started = performance.now();
      const found = await memory.search(tenantId, 'bench', Array.from(query), K);
      latencies.push(performance.now() - started);
      const truth = truthOf(query);
      hits += found.filter((hit) => truth.has(String(rowOf.get(hit.memory.id)))).length;
    }
    latencies.sort((a, b) => a - b);
    const row = { queries: queries.length, recall: hits / (queries.length * K), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
    log(`  pgvector: recall@10 ${row.recall.toFixed(4)} p50 ${row.p50Ms.toFixed(1)} ms p99 ${row.p99Ms.toFixed(1)} ms`);
    return row;
  } finally {
    await test.drop();
  }
}

const sentenceData = sentences();
const results = [measure(sentenceData), measure(clusters())];
const sentenceMatrix = new Float32Array(N * DIMENSIONS);
sentenceData.vectors.forEach((vector, i) => sentenceMatrix.set(unit(vector), i * DIMENSIONS));
const pgvector = await measurePgvector(sentenceData, (query) => new Set(flatScan(sentenceMatrix, PGVECTOR_ROWS, unit(query), K).map(String)));
const measuredAt = new Date().toISOString();
const load = os.loadavg().map((value) => value.toFixed(1)).join(' / ');
const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}; load average ${load} (1/5/15 min) at the end: the machine is shared, so latencies include waiting for a core`;
mkdirSync(path.join(REPO_ROOT, 'bench-results'), { recursive: true });
writeFileSync(path.join(REPO_ROOT, 'bench-results', 'vectors.json'), `${JSON.stringify({ measuredAt, machine, n: N, dimensions: DIMENSIONS, k: K, m: M, efConstruction: EF_CONSTRUCTION, results, pgvector }, null, 2)}\n`);

const table = (result: (typeof results)[number]) => {
  const lines = [
    `**${result.name}**: built in ${result.buildSeconds.toFixed(1)} s (${((result.buildSeconds * 1e6) / N).toFixed(0)} µs per insert). Exact search (baseline, flat scan): p50 ${result.exact.p50Ms.toFixed(2)} ms, p99 ${result.exact.p99Ms.toFixed(2)} ms.`,
    '',
    '| ef | recall@10 | p50 ms | p99 ms | p99 vs exact p99 |',
    '|---:|---:|---:|---:|---:|',
    ...result.rows.map((row) => `| ${row.ef} | ${row.recall.toFixed(4)} | ${row.p50Ms.toFixed(3)} | ${row.p99Ms.toFixed(3)} | ${(row.p99Ms / result.exact.p99Ms).toFixed(3)}× |`),
  ];
  return lines.join('\n');
};
const section = `<!-- vectors-bench:start -->
## Vector memory: HNSW recall@10 and query latency on ${N.toLocaleString('en-US')} vectors

Measured by \`npm run bench -- --vectors${quick ? ' --quick' : ''}\` (e2e/bench/vectors.ts), ${measuredAt}, pinned to one core;
${machine}. The engine of Postgres deployments' vector memory: \`HnswIndex\` (\`@switchyard/vector-memory/hnsw\`,
pure TypeScript; M = ${M}, efConstruction = ${EF_CONSTRUCTION}), ${DIMENSIONS} dimensions, cosine, ${QUERIES} queries per row, k = ${K}.
Recall@10 is the share of the exact top 10 (flat scan of the same vectors, timed in the same run as the
baseline) that the index returns. Latency is one \`search\` call in process (what a data plane pays per
retrieval once the collection is loaded), not an HTTP round trip.

${results.map(table).join('\n\n')}

The vector memories search with ef = 256 (\`MEMORY_EF_SEARCH\`): the smallest ef at or above 0.95 recall@10 on both
sets. The hashed-word vectors of \`mock-embed-1\` are the hard case (near-orthogonal texts, no cluster structure); on
clustered data ef = 16 already passes. Building costs 1-2 ms per vector here, minutes for 100,000, so a replica builds a
collection's index in the background in slices of a few milliseconds and scans exactly until it is done (about the
baseline's latency), never blocking requests.

**The embedded default** (PGlite + pgvector 0.8, exact \`<=>\` scan through the port: a transaction with row-level
security per search), the first ${PGVECTOR_ROWS.toLocaleString('en-US')} mock-embed-1 sentence vectors as rows of one collection, ${pgvector.queries} queries:
recall@10 ${pgvector.recall.toFixed(4)}, p50 ${pgvector.p50Ms.toFixed(1)} ms, p99 ${pgvector.p99Ms.toFixed(1)} ms
(${(pgvector.p99Ms / results[0]!.exact.p99Ms).toFixed(1)}× the p99 of the in-process exact scan of ten times as many). The scan grows
with the collection: fine for an embedded deployment's collections of thousands; 100,000 wants a Postgres deployment's HNSW.
<!-- vectors-bench:end -->`;
const file = path.join(REPO_ROOT, 'BENCHMARKS.md');
const current = readFileSync(file, 'utf8');
const marked = /<!-- vectors-bench:start -->[\s\S]*<!-- vectors-bench:end -->/;
writeFileSync(file, marked.test(current) ? current.replace(marked, section) : `${current.trimEnd()}\n\n${section}\n`);
console.log(section);
