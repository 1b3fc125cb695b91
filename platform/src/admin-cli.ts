// Operator CLI: `npm run -s admin -- key create --tenant <slug> [--name <name>]`,
// `npm run -s admin -- rotate-master-key [--generate-key] [--batch-size <n>]`.
// Prints only the result on stdout (scriptable); progress and errors go to stderr.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import type { RotationProgress } from '@switchyard/db/secret-vault';
import type { PlatformEnv } from './config';
import { operatorSocketPath, reachOperator, type OperatorStatus } from './operator-socket';

process.env.APOLLO_TELEMETRY_DISABLED = '1';

const USAGE = [
  'usage: npm run -s admin -- key create --tenant <slug> [--name <name>]',
  '       npm run -s admin -- rotate-master-key [--generate-key] [--batch-size <n>]',
  '         rewraps every tenant data key under the current master key (SWITCHYARD_MASTER_KEY_ID, or the',
  '         embedded keyring); idempotent and resumable. --generate-key (embedded keyring only) first adds',
  '         a new key and makes it current.',
  'On the embedded database the command runs through the platform that holds it (npm start); while that',
  'platform is still starting it waits up to --wait <seconds> (default 120), then fails without changing anything.',
].join('\n');

const DEFAULT_WAIT_SECONDS = 120;
/** The holder answered 503: it did not take the command, so asking again is safe. */
const NOT_SERVING_YET = 'NOT_SERVING_YET';

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function viaOperatorSocket(socketPath: string, body: { tenant: string; name: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = request({ socketPath, path: '/keys', method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        let reply: { secret?: string; error?: string } = {};
        try {
          reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof reply;
        } catch {
          // Not JSON: reported below as a refusal.
        }
        if (reply.secret) resolve(reply.secret);
        else if (response.statusCode === 503) reject(Object.assign(new Error(reply.error ?? 'not serving yet'), { code: NOT_SERVING_YET }));
        else reject(new Error(reply.error ?? `operator socket refused the command (HTTP ${response.statusCode})`));
      });
    });
    call.once('error', reject);
    call.end(JSON.stringify(body));
  });
}

async function createKeyDirectly(env: PlatformEnv, tenant: string, name: string): Promise<string> {
  const { createDatabase } = await import('@switchyard/db');
  const { createInProcessBus, createRedisBus } = await import('@switchyard/bus');
  const { createTenantsService } = await import('@switchyard/subgraph-tenants');
  const { OPERATOR_PRINCIPAL } = await import('./operator-principal');
  const db = env.DATABASE_URL
    ? await createDatabase({ url: env.DATABASE_URL, tenantUrl: env.DATABASE_TENANT_URL })
    : await createDatabase({ dataDir: path.join(env.SWITCHYARD_DATA_DIR, 'pglite') });
  const bus = env.REDIS_URL ? createRedisBus(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX }) : createInProcessBus();
  try {
    await db.migrate();
    const created = await createTenantsService({ db, bus }).createApiKey({ tenantSlug: tenant, name }, OPERATOR_PRINCIPAL);
    return created.secret;
  } finally {
    await bus.close();
    await db.close();
  }
}

function describeProgress(progress: RotationProgress): string {
  return `rotate-master-key: ${progress.rewrapped} data key(s) rewrapped under ${progress.activeKeyId}, ${progress.remaining} left`;
}

function rotateViaOperatorSocket(socketPath: string, batchSize: number): Promise<RotationProgress> {
  return new Promise((resolve, reject) => {
    const call = request({ socketPath, path: '/rotate-master-key', method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      let buffered = '';
      let settled = false;
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffered += chunk;
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = JSON.parse(buffered.slice(0, newline)) as { progress?: RotationProgress; result?: RotationProgress; error?: string };
          buffered = buffered.slice(newline + 1);
          if (line.progress) process.stderr.write(`${describeProgress(line.progress)}\n`);
          if (line.result) {
            settled = true;
            resolve(line.result);
          } else if (line.error) {
            settled = true;
            reject(new Error(line.error));
          }
        }
      });
      response.on('error', reject);
      response.on('end', () => {
        if (settled) return;
        if (response.statusCode === 404) reject(new Error('the running platform does not offer rotate-master-key (restart it on this version)'));
        else if (response.statusCode === 503) reject(Object.assign(new Error('the running platform does not serve operator commands yet'), { code: NOT_SERVING_YET }));
        else reject(Object.assign(new Error('operator socket closed before the result'), { code: 'ECONNRESET' }));
      });
    });
    call.once('error', reject);
    call.end(JSON.stringify({ batchSize }));
  });
}

async function rotateDirectly(env: PlatformEnv, batchSize: number): Promise<RotationProgress> {
  const { createDatabase } = await import('@switchyard/db');
  const { rotateMasterKey, dataKeysPerMasterKey } = await import('@switchyard/db/secret-vault');
  const { createLocalKms, loadOrCreateMasterKeyring } = await import('@switchyard/identity/envelope');
  const keyring = await loadOrCreateMasterKeyring({ dataDir: env.SWITCHYARD_DATA_DIR, keys: env.SWITCHYARD_MASTER_KEYS, activeKeyId: env.SWITCHYARD_MASTER_KEY_ID });
  const db = env.DATABASE_URL
    ? await createDatabase({ url: env.DATABASE_URL, tenantUrl: env.DATABASE_TENANT_URL })
    : await createDatabase({ dataDir: path.join(env.SWITCHYARD_DATA_DIR, 'pglite') });
  try {
    await db.migrate();
    const result = await rotateMasterKey({ db, kms: createLocalKms(keyring), batchSize, onProgress: (progress) => process.stderr.write(`${describeProgress(progress)}\n`) });
    const inUse = await dataKeysPerMasterKey(db);
    const older = Object.keys(keyring.masterKeys).filter((id) => id !== keyring.activeKeyId);
    for (const id of older) if (!inUse.has(id)) process.stderr.write(`rotate-master-key: no data key is wrapped by ${id} any more; it may be removed from the keyring\n`);
    return result;
  } finally {
    await db.close();
  }
}

/**
 * Runs a command where the data is. Postgres (DATABASE_URL) is shared safely: directly. The
 * embedded database belongs to one process: through the running platform's operator socket, or,
 * when no platform holds it, directly while this process holds the same lock, so no platform can
 * start on the directory meanwhile: a start waits for the command (seconds) with progress, up to
 * a minute, then refuses naming it (operator-socket.ts, claimOperatorSocketForPlatform).
 */
async function onTheDatabase<T>(
  env: PlatformEnv,
  waitMs: number,
  how: { viaPlatform: (socketPath: string, status: OperatorStatus | null) => Promise<T>; directly: () => Promise<T> },
): Promise<T> {
  if (env.DATABASE_URL) return how.directly();
  const socketPath = operatorSocketPath(env.SWITCHYARD_DATA_DIR);
  const progress = (line: string) => process.stderr.write(`${line}\n`);
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    const target = await reachOperator({ socketPath, waitMs, progress, startedAt });
    if (target.kind === 'locked') {
      try {
        // Nobody runs on this data dir: rather than create an empty database here, say what is missing.
        if (!existsSync(path.join(env.SWITCHYARD_DATA_DIR, 'pglite'))) {
          throw new Error(`there is no embedded database in ${env.SWITCHYARD_DATA_DIR} yet: npm start creates it (with the demo tenant) on its first start`);
        }
        return await how.directly();
      } finally {
        await target.lock.close();
      }
    }
    try {
      return await how.viaPlatform(socketPath, target.status);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // Gone before it received the command, or not serving it yet: nothing happened, ask again.
      if ((code === 'ECONNREFUSED' || code === 'ENOENT' || code === NOT_SERVING_YET) && attempt < 5) continue;
      if (code === undefined || code === NOT_SERVING_YET) throw error;
      const who = target.status ? `the platform (pid ${target.status.pid})` : 'the platform';
      throw new Error(`${who} holding ${env.SWITCHYARD_DATA_DIR} went away before answering (${code}); whether the command took effect is unknown: check, then run it again`);
    }
  }
}

async function rotateMasterKeyCommand(env: PlatformEnv, options: { generateKey: boolean; batchSize: number; waitMs: number }): Promise<RotationProgress> {
  if (options.generateKey && env.SWITCHYARD_MASTER_KEYS) {
    throw new Error('master keys come from SWITCHYARD_MASTER_KEYS: add the new key there, make it SWITCHYARD_MASTER_KEY_ID, roll it out to every replica, then run rotate-master-key');
  }
  return onTheDatabase(env, options.waitMs, {
    viaPlatform: async (socketPath) => {
      if (options.generateKey) throw new Error('the running platform holds the embedded keyring: stop it, run rotate-master-key --generate-key, then start it again');
      return rotateViaOperatorSocket(socketPath, options.batchSize);
    },
    directly: async () => {
      if (options.generateKey) {
        const { addGeneratedMasterKey } = await import('@switchyard/identity/envelope');
        const added = await addGeneratedMasterKey(env.SWITCHYARD_DATA_DIR);
        process.stderr.write(`rotate-master-key: added ${added.activeKeyId} as the current master key (${added.previousKeyId} kept for unwrapping)\n`);
      }
      return rotateDirectly(env, options.batchSize);
    },
  });
}

const { positionals, values } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: {
    tenant: { type: 'string' },
    name: { type: 'string' },
    'generate-key': { type: 'boolean' },
    'batch-size': { type: 'string' },
    wait: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) fail(USAGE, 0);
const [noun, verb] = positionals;
const waitSeconds = values.wait === undefined ? DEFAULT_WAIT_SECONDS : Number(values.wait);
if (!Number.isFinite(waitSeconds) || waitSeconds < 0 || waitSeconds > 3600) fail(`--wait must be a number of seconds in 0..3600\n${USAGE}`, 2);
const waitMs = waitSeconds * 1000;

if (noun === 'rotate-master-key' && verb === undefined) {
  const batchSize = values['batch-size'] === undefined ? 100 : Number(values['batch-size']);
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) fail(`--batch-size must be an integer in 1..10000\n${USAGE}`, 2);
  try {
    const { parsePlatformEnv } = await import('./config');
    const env = parsePlatformEnv();
    const result = await rotateMasterKeyCommand(env, { generateKey: values['generate-key'] === true, batchSize, waitMs });
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exit(0);
  } catch (error) {
    fail(`rotate-master-key failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
if (noun !== 'key' || verb !== 'create') fail(USAGE, 2);
if (!values.tenant) fail(`missing --tenant\n${USAGE}`, 2);

try {
  const { parsePlatformEnv } = await import('./config');
  const env = parsePlatformEnv();
  const name = values.name ?? `cli-${new Date().toISOString()}`;
  const tenant = values.tenant;
  const secret = await onTheDatabase(env, waitMs, {
    viaPlatform: (socketPath) => viaOperatorSocket(socketPath, { tenant, name }),
    directly: () => createKeyDirectly(env, tenant, name),
  });
  process.stdout.write(`${secret}\n`);
} catch (error) {
  fail(`key create failed: ${error instanceof Error ? error.message : String(error)}`);
}
