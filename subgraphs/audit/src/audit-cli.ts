// npm run -s audit -- <command>: offline verification and data-subject requests on the audit log.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDatabase, type Database } from '@switchyard/db';
import { auditKeysFromJson, loadOrCreateAuditKeys } from './audit-keys';
import { createAuditLedger } from './audit-ledger';
import { databaseAnchor, witnessFileAnchor } from './anchor';
import { loadCliConfig } from './config';
import { createPrismaAuditStore } from './prisma-audit-store';
import { subjectDataStores, type SubjectRequestLiveState } from './subject-requests';
import { createRedisBus } from '@switchyard/bus';
import { createRedisSessionWindow } from '@switchyard/memory/session';
import { announceVectorMemoryChanges } from '@switchyard/vector-memory/database';
import { describeCheckpointKey } from './checkpoint-key';
import { verifyStoredLog } from './verify-command';
import { WitnessUnavailableError } from './witness-read';

const USAGE = `usage: npm run -s audit -- <command>
  verify [--require-witness]
                            check every entry, every checkpoint and every witnessed checkpoint
                            (exit 0 ok, 1 tampered, 2 a witness or the database cannot be read;
                            --require-witness: an unwitnessed log exits 1)
  checkpoint                sign a checkpoint over the current log now
  public-key                print the checkpoint key's public half ({"publicKey", "keyId"}): what the
                            central audit witness is configured with for this region (WITNESS_REGIONS)
  export --subject <id>     print everything kept about a data subject as JSON lines, one per item:
                            {"store", "kind", "tenantId", "id", "createdAt", "updatedAt", "data"}
                            (stores: the audit log, the memory fabric's session documents, session
                            window and vector memories)
  erase --subject <id>      crypto-shred the subject's audit payloads (entries and proofs stay) and
                            delete their memory-fabric data; prints what each store erased
                            (exit 1 when a store failed: run it again, erasure is idempotent)
  expire                    drop payloads past their retention TTL
Environment: DATABASE_URL (else the embedded PGlite in SWITCHYARD_DATA_DIR), AUDIT_KEYS,
  AUDIT_WITNESS_FILE (default <data dir>/audit-witness.jsonl), AUDIT_WITNESS_URL,
  REDIS_URL and REDIS_KEY_PREFIX (the data planes': erase also clears their session window in Redis
  and drops their in-process vector indexes).`;

const EXIT_OK = 0;
const EXIT_BAD_LOG = 1;
const EXIT_UNAVAILABLE = 2;

function platformHoldsPglite(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    // A socket file left behind by a platform that died.
    socket.once('error', () => resolve(false));
  });
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { subject: { type: 'string' }, help: { type: 'boolean' }, 'require-witness': { type: 'boolean' } } });
  const command = positionals[0];
  if (values.help || !command || !['verify', 'checkpoint', 'public-key', 'export', 'erase', 'expire'].includes(command)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? EXIT_OK : EXIT_UNAVAILABLE;
  }
  if ((command === 'export' || command === 'erase') && !values.subject) {
    process.stderr.write(`${command} needs --subject <id>\n`);
    return EXIT_UNAVAILABLE;
  }
  const config = loadCliConfig();
  if (!config.DATABASE_URL && (await platformHoldsPglite(path.join(config.SWITCHYARD_DATA_DIR, 'operator.sock')))) {
    process.stderr.write(
      `The running platform (npm start) holds the embedded database in ${config.SWITCHYARD_DATA_DIR}; stop it first, or run against Postgres with DATABASE_URL.\n`,
    );
    return EXIT_UNAVAILABLE;
  }
  const keys = config.AUDIT_KEYS ? auditKeysFromJson(config.AUDIT_KEYS) : await loadOrCreateAuditKeys(config.SWITCHYARD_DATA_DIR);
  if (command === 'public-key') {
    process.stdout.write(`${JSON.stringify(describeCheckpointKey(keys.publicKey))}\n`);
    return EXIT_OK;
  }
  const progress = (line: string) => process.stderr.write(`audit: ${line}\n`);
  let db: Database;
  try {
    db = config.DATABASE_URL ? await createDatabase({ url: config.DATABASE_URL, tenantUrl: config.DATABASE_TENANT_URL }) : await createDatabase({ dataDir: path.join(config.SWITCHYARD_DATA_DIR, 'pglite') });
    await db.migrate();
  } catch (error) {
    process.stderr.write(`cannot open the database: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_UNAVAILABLE;
  }
  try {
    const store = createPrismaAuditStore(db);
    const witnessFile = config.AUDIT_WITNESS_FILE ?? path.join(config.SWITCHYARD_DATA_DIR, 'audit-witness.jsonl');
    if (command === 'verify') {
      try {
        const outcome = await verifyStoredLog(store, keys.publicKey, { witnessFile, witnessUrl: config.AUDIT_WITNESS_URL, subjectHmacKey: keys.subjectHmacKey, progress });
        process.stdout.write(`${outcome.lines.join('\n')}\n`);
        if (!outcome.verification.ok) return EXIT_BAD_LOG;
        return outcome.unwitnessed && values['require-witness'] ? EXIT_BAD_LOG : EXIT_OK;
      } catch (error) {
        if (!(error instanceof WitnessUnavailableError)) throw error;
        process.stderr.write(`audit: ${error.message}; the log was not verified against it\n`);
        return EXIT_UNAVAILABLE;
      }
    }
    const ledger = createAuditLedger({
      store,
      keys,
      anchors: [databaseAnchor(store), witnessFileAnchor(witnessFile)],
      checkpointIntervalMs: 0,
    });
    try {
      if (command === 'checkpoint') {
        const checkpoint = await ledger.checkpoint();
        process.stdout.write(checkpoint ? `${JSON.stringify(checkpoint)}\n` : 'nothing new since the last checkpoint\n');
      } else if (command === 'export') {
        const exported = await subjectDataStores(db, ledger).exportSubject({ subjectId: values.subject ?? '' });
        for (const part of exported.stores) for (const record of part.records) process.stdout.write(`${JSON.stringify({ store: part.store, ...record })}\n`);
      } else if (command === 'erase') {
        // With the data planes' Redis, the erasure also reaches their live copies (DESIGN.md §4).
        const bus = config.REDIS_URL ? createRedisBus(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : undefined;
        const sessionWindow = config.REDIS_URL ? createRedisSessionWindow(config.REDIS_URL, { keyPrefix: config.REDIS_KEY_PREFIX }) : undefined;
        try {
          const live: SubjectRequestLiveState = { ...(sessionWindow ? { sessionWindow } : {}), ...(bus ? { announceVectorMemoryChanges: announceVectorMemoryChanges(bus) } : {}) };
          const erasure = await subjectDataStores(db, ledger, live).eraseSubject({ subjectId: values.subject ?? '' });
          process.stdout.write(`${JSON.stringify(erasure)}\n`);
          if (!erasure.complete) return EXIT_BAD_LOG;
        } finally {
          await Promise.all([bus?.close(), sessionWindow?.close()]);
        }
      } else {
        process.stdout.write(`expired ${await ledger.expirePayloads()} payloads\n`);
      }
      return EXIT_OK;
    } finally {
      await ledger.close();
    }
  } finally {
    await db.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`audit: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_UNAVAILABLE;
  },
);
