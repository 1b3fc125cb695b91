// npm run -w @switchyard/session-documents bench: what a session document write and read cost on
// Postgres as the document grows, with the store's update log compacted every 64 updates, against
// the same run's baseline of merging every update into the state (compactEvery: 1, what a store
// without the log would do). Writes bench-results/session-documents.md.
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import * as Y from 'yjs';
import { createTestDatabase } from '@switchyard/db/testing';
import { createPrismaSessionDocumentStore } from '../src/prisma-store';
import { DEFAULT_DOCUMENT_LIMITS } from '../src/store';

const EDITS = Number(process.env['BENCH_EDITS'] ?? 1500);
const READS = Number(process.env['BENCH_READS'] ?? 200);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** One editor typing: inserts 40 characters at a seeded position, every 4th edit deletes 30. */
function edits(count: number): Uint8Array[] {
  const doc = new Y.Doc();
  const text = doc.getText('notes');
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  for (let i = 0; i < count; i += 1) {
    if (i % 4 === 3 && text.length > 30) text.delete(Math.floor(random() * (text.length - 30)), 30);
    else text.insert(Math.floor(random() * (text.length + 1)), `edit ${i} `.padEnd(40, '.'));
  }
  return updates;
}

async function run(label: string, compactEvery: number, updates: Uint8Array[]) {
  const test = await createTestDatabase();
  try {
    const store = createPrismaSessionDocumentStore(test.db);
    const slug = `bench-${randomUUID().slice(0, 8)}`;
    const tenantId = (await test.db.withPlatform((tx) => tx.tenant.create({ data: { slug, name: slug }, select: { id: true } }))).id;
    const limits = { ...DEFAULT_DOCUMENT_LIMITS, maxDocumentBytes: 64 * 1024 * 1024, compactEvery };
    const writes: number[] = [];
    const started = performance.now();
    for (const update of updates) {
      const before = performance.now();
      await store.append({ tenantId, sessionId: 'bench', update, subjectIds: [], classification: 'internal', limits, now: new Date() });
      writes.push(performance.now() - before);
    }
    const total = performance.now() - started;
    const reads: number[] = [];
    let bytes = 0;
    for (let i = 0; i < READS; i += 1) {
      const before = performance.now();
      const loaded = await store.load(tenantId, 'bench');
      reads.push(performance.now() - before);
      bytes = loaded?.bytes ?? 0;
    }
    const lastQuarter = writes.slice(Math.floor(writes.length * 0.75)).sort((a, b) => a - b);
    writes.sort((a, b) => a - b);
    reads.sort((a, b) => a - b);
    return { label, total, writeP50: percentile(writes, 50), writeP99: percentile(writes, 99), lateP50: percentile(lastQuarter, 50), readP50: percentile(reads, 50), readP99: percentile(reads, 99), bytes };
  } finally {
    await test.drop();
  }
}

const updates = edits(EDITS);
const finalDoc = new Y.Doc();
for (const update of updates) Y.applyUpdate(finalDoc, update);
const finalBytes = Y.encodeStateAsUpdate(finalDoc).byteLength;
const results = [await run('update log, compacted every 64 (the store)', 64, updates), await run('merge into the state on every write (baseline)', 1, updates)];
const ms = (value: number) => value.toFixed(2);
const lines = [
  `Command: \`npm run -w @switchyard/session-documents bench\` (BENCH_EDITS=${EDITS}, BENCH_READS=${READS}); Postgres ${test()}; ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, Node ${process.version}.`,
  `One editor's ${EDITS} edits (40-character inserts at random places, every 4th a 30-character delete) appended one by one to one document; the final document is ${(finalBytes / 1024).toFixed(0)} KiB as one Yjs update.`,
  '',
  '| store | all writes | write p50 | write p99 | write p50, last quarter (largest document) | read p50 | read p99 | stored bytes after |',
  '|---|---|---|---|---|---|---|---|',
  ...results.map((r) => `| ${r.label} | ${(r.total / 1000).toFixed(2)} s | ${ms(r.writeP50)} ms | ${ms(r.writeP99)} ms | ${ms(r.lateP50)} ms | ${ms(r.readP50)} ms | ${ms(r.readP99)} ms | ${r.bytes.toLocaleString('en-US')} |`),
  '',
  `Ratio (baseline / store), all writes: ${((results[1]?.total ?? 0) / (results[0]?.total ?? 1)).toFixed(2)}×; write p50 in the last quarter: ${((results[1]?.lateP50 ?? 0) / (results[0]?.lateP50 ?? 1)).toFixed(2)}×.`,
];
function test(): string {
  return process.env['SWITCHYARD_TEST_POSTGRES_URL'] ? 'at SWITCHYARD_TEST_POSTGRES_URL' : 'at 127.0.0.1:5432';
}
process.stdout.write(`${lines.join('\n')}\n`);
await mkdir(path.join(REPO_ROOT, 'bench-results'), { recursive: true });
await writeFile(path.join(REPO_ROOT, 'bench-results', 'session-documents.md'), `${lines.join('\n')}\n`);
