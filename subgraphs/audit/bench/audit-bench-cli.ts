// npm run -w @switchyard/subgraph-audit bench: appends/s on Postgres (1 and 4 writers), proofs and
// verification at 1,000,000 entries (in memory), whole-log verify. Writes bench-results/audit.md.
import { randomBytes } from 'node:crypto';
import { writeFile, mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { auditLeafBytes, GENESIS_HASH, LeafHashTree, verifyAuditLog, type ChainedAuditEntry, type Checkpoint } from '@switchyard/ledger';
import { chainEntry, leafHash, signCheckpoint, verifyConsistency, verifyInclusion, nodeAuditLogVerifier, nodeSha256 } from '@switchyard/ledger/node';
import { createDatabase } from '@switchyard/db';
import { createTestDatabase } from '@switchyard/db/testing';
import { databaseAnchor } from '../src/anchor';
import { generateAuditKeys } from '../src/audit-keys';
import { createAuditLedger } from '../src/audit-ledger';
import { createPrismaAuditStore } from '../src/prisma-audit-store';
import { REPO_ROOT } from '../src/config';
import { verifyStoredLog } from '../src/verify-command';

const SINGLE_APPENDS = Number(process.env['BENCH_SINGLE_APPENDS'] ?? 1000);
const CONCURRENT_APPENDS_PER_WRITER = Number(process.env['BENCH_CONCURRENT_APPENDS'] ?? 500);
const BATCHED_APPENDS = Number(process.env['BENCH_BATCHED_APPENDS'] ?? 5000);
const MILLION = Number(process.env['BENCH_TREE_SIZE'] ?? 1_000_000);
const PROOF_SAMPLES = 1000;

const keys = generateAuditKeys();
const lines: string[] = [];
const log = (line: string) => {
  process.stderr.write(`${line}\n`);
  lines.push(line);
};
const seconds = (ms: number) => (ms / 1000).toFixed(2);
const rate = (count: number, ms: number) => Math.round((count / ms) * 1000).toLocaleString('en-US');
const micros = (ms: number) => (ms * 1000).toFixed(1);

async function postgresBenchmarks(): Promise<void> {
  const test = await createTestDatabase();
  const extra = await Promise.all(Array.from({ length: 4 }, () => createDatabase({ url: test.url })));
  try {
    const ledgerOf = (db: typeof test.db) => {
      const store = createPrismaAuditStore(db);
      return createAuditLedger({ store, keys, anchors: [databaseAnchor(store)], checkpointEvery: 1000, checkpointIntervalMs: 0 });
    };
    const event = (key: string, i: number) => ({ idempotencyKey: key, tenantId: null, actor: 'service:bench', action: 'inference.request', subjectId: `subject-${i % 100}`, payload: { i, model: 'mock-gpt' } });

    const single = ledgerOf(test.db);
    let started = performance.now();
    for (let i = 0; i < SINGLE_APPENDS; i += 1) await single.append(event(`single-${i}`, i));
    let elapsed = performance.now() - started;
    log(`| appends, 1 writer, one event per call (subject-bearing events: key lookup + locked append, two transactions) | ${SINGLE_APPENDS} | ${seconds(elapsed)} s | **${rate(SINGLE_APPENDS, elapsed)} appends/s** |`);

    // Tenant events (no data subject): the tenant's payload key is cached, so one transaction each.
    started = performance.now();
    for (let i = 0; i < SINGLE_APPENDS; i += 1) await single.append({ ...event(`tenant-${i}`, i), subjectId: null });
    elapsed = performance.now() - started;
    log(`| appends, 1 writer, one event per call (no data subject: the append transaction only) | ${SINGLE_APPENDS} | ${seconds(elapsed)} s | **${rate(SINGLE_APPENDS, elapsed)} appends/s** |`);

    const writers = extra.map(ledgerOf);
    started = performance.now();
    await Promise.all(writers.map(async (ledger, w) => {
      for (let i = 0; i < CONCURRENT_APPENDS_PER_WRITER; i += 1) await ledger.append(event(`w${w}-${i}`, i));
    }));
    elapsed = performance.now() - started;
    const concurrentTotal = CONCURRENT_APPENDS_PER_WRITER * writers.length;
    log(`| appends, 4 concurrent writers (own connection pools, one advisory-locked order) | ${concurrentTotal} | ${seconds(elapsed)} s | **${rate(concurrentTotal, elapsed)} appends/s** |`);

    started = performance.now();
    for (let i = 0; i < BATCHED_APPENDS; i += 100) {
      await single.appendMany(Array.from({ length: 100 }, (_, j) => event(`batch-${i + j}`, i + j)));
    }
    elapsed = performance.now() - started;
    log(`| appends, 1 writer, batches of 100 | ${BATCHED_APPENDS} | ${seconds(elapsed)} s | **${rate(BATCHED_APPENDS, elapsed)} appends/s** |`);

    started = performance.now();
    for (let i = 0; i < BATCHED_APPENDS; i += 500) {
      await single.appendMany(Array.from({ length: 500 }, (_, j) => event(`batch500-${i + j}`, i + j)));
    }
    elapsed = performance.now() - started;
    log(`| appends, 1 writer, batches of 500 (the stream consumer's largest batch) | ${BATCHED_APPENDS} | ${seconds(elapsed)} s | **${rate(BATCHED_APPENDS, elapsed)} appends/s** |`);
    await single.checkpoint();

    started = performance.now();
    const outcome = await verifyStoredLog(single.store, keys.publicKey);
    elapsed = performance.now() - started;
    log(`| \`audit verify\` over the Postgres log (read + verify) | ${outcome.entries} entries, ${outcome.checkpoints} checkpoints | ${seconds(elapsed)} s | ${outcome.summary} |`);
    for (const ledger of [single, ...writers]) await ledger.close();
  } finally {
    for (const db of extra) await db.close();
    await test.drop();
  }
}

function inMemoryBenchmarks(): void {
  // Pure: the same chain, leaf and tree code the service runs, with leaf hashes in memory.
  let started = performance.now();
  const entries: ChainedAuditEntry[] = [];
  const checkpoints: Checkpoint[] = [];
  const tree = new LeafHashTree(nodeSha256);
  let prev = GENESIS_HASH;
  const occurredAt = new Date('2026-01-01T00:00:00.000Z').toISOString();
  for (let seq = 0; seq < MILLION; seq += 1) {
    const fields = { seq, occurredAt, tenantId: null, actor: 'service:bench', action: 'inference.request', subjectKey: null, payloadDigest: 'ab'.repeat(32) };
    const entry = chainEntry(prev, fields);
    entries.push(entry);
    tree.append(leafHash(auditLeafBytes(fields)));
    prev = entry.entryHash;
    if ((seq + 1) % 10_000 === 0) {
      checkpoints.push(signCheckpoint({ logId: 'bench', treeSize: seq + 1, rootHash: Buffer.from(tree.root()).toString('hex'), issuedAt: occurredAt }, keys.signingKey));
    }
  }
  let elapsed = performance.now() - started;
  log(`| build ${MILLION.toLocaleString('en-US')} chained entries + tree + ${checkpoints.length} signed checkpoints (in memory) | ${MILLION} | ${seconds(elapsed)} s | ${rate(MILLION, elapsed)} entries/s |`);

  const size = tree.size;
  const root = tree.root();
  const indexes = Array.from({ length: PROOF_SAMPLES }, () => randomBytes(4).readUInt32BE(0) % size);
  started = performance.now();
  const proofs = indexes.map((index) => tree.inclusionProof(index, size));
  elapsed = performance.now() - started;
  log(`| inclusion proof generation at ${size.toLocaleString('en-US')} leaves (mean of ${PROOF_SAMPLES}) | ${proofs[0]?.length ?? 0} hashes | ${micros(elapsed / PROOF_SAMPLES)} µs | |`);
  started = performance.now();
  let allOk = true;
  indexes.forEach((index, i) => {
    allOk &&= verifyInclusion(tree.leafHash(index), index, size, proofs[i] ?? [], root);
  });
  elapsed = performance.now() - started;
  log(`| inclusion proof verification (mean of ${PROOF_SAMPLES}) | all valid: ${allOk} | ${micros(elapsed / PROOF_SAMPLES)} µs | |`);

  const oldSizes = Array.from({ length: PROOF_SAMPLES }, () => 1 + (randomBytes(4).readUInt32BE(0) % (size - 1)));
  started = performance.now();
  const consistency = oldSizes.map((oldSize) => tree.consistencyProof(oldSize, size));
  elapsed = performance.now() - started;
  log(`| consistency proof generation to ${size.toLocaleString('en-US')} (mean of ${PROOF_SAMPLES} random old sizes) | ≤${Math.max(...consistency.map((proof) => proof.length))} hashes | ${micros(elapsed / PROOF_SAMPLES)} µs | |`);
  const oldRoots = oldSizes.map((oldSize) => tree.root(oldSize));
  started = performance.now();
  let consistent = true;
  oldSizes.forEach((oldSize, i) => {
    consistent &&= verifyConsistency(oldSize, size, oldRoots[i] ?? new Uint8Array(), root, consistency[i] ?? []);
  });
  elapsed = performance.now() - started;
  log(`| consistency proof verification (mean of ${PROOF_SAMPLES}) | all valid: ${consistent} | ${micros(elapsed / PROOF_SAMPLES)} µs | |`);

  started = performance.now();
  const verdict = verifyAuditLog(entries, checkpoints, nodeAuditLogVerifier(keys.publicKey));
  elapsed = performance.now() - started;
  log(`| \`verifyAuditLog\`: whole log of ${size.toLocaleString('en-US')} entries, every link + ${checkpoints.length} checkpoints (in memory) | ok: ${verdict.ok} | ${seconds(elapsed)} s | ${rate(size, elapsed)} entries/s |`);
}

const header = [
  '## Audit ledger',
  '',
  `Command: \`npm run -w @switchyard/subgraph-audit bench\` on ${os.cpus()[0]?.model ?? 'unknown CPU'} (${os.cpus().length} cores, shared), Node ${process.version}, ${new Date().toISOString()}.`,
  `Load average at the start: ${os.loadavg().map((load) => load.toFixed(1)).join(' / ')} (other work on the same cores inflates every figure below).`,
  'Postgres figures: local PostgreSQL 127.0.0.1 through Prisma (adapter-pg). An append (one event or a batch) is one transaction calling `switchyard_audit_append` (advisory lock, head, dedupe, sha256 chain, insert in one statement); events with a data subject first get-or-create their payload key in a second transaction.',
  'Before the one-statement append (Prisma interactive transaction: lock, key lookup, head read, createMany; same command, same shared machine): ' +
    '1 writer one event per call 34 appends/s, 4 writers 34 appends/s, batches of 100 406 appends/s (2026-11-26T07:41Z, load 10.3 / 12.2 / 11.9); ' +
    '65 / 141 / 1,086 appends/s on the quieter machine of 05:40Z (load 0.8). Compare rows run at similar load only.',
  `The ${MILLION.toLocaleString('en-US')}-entry figures are pure and in memory (the same chain/leaf/LeafHashTree code; leaf hashes held in memory as the service holds them), not read from Postgres.`,
  '',
  '| measurement | n | time | rate |',
  '|---|---|---|---|',
];
await postgresBenchmarks();
inMemoryBenchmarks();
const outFile = path.join(REPO_ROOT, 'bench-results', 'audit.md');
await mkdir(path.dirname(outFile), { recursive: true });
await writeFile(outFile, `${[...header, ...lines].join('\n')}\n`);
process.stderr.write(`wrote ${outFile}\n`);
