import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { chmod, mkdir, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { RotationProgress } from '@switchyard/db/secret-vault';
import type { TenantsService } from '@switchyard/subgraph-tenants';
import { OPERATOR_PRINCIPAL } from './operator-principal';

/**
 * A Unix socket in the data dir that is both the lock on the embedded database (PGlite allows one
 * process) and the way the operator CLI acts through the process that holds it.
 *
 * Binding is atomic, so whoever binds first holds the data dir: `npm start` binds it before it
 * opens anything, and the CLI binds it for as long as it opens the database itself. A second
 * process gets EADDRINUSE and asks the holder who it is (GET /status). A socket file left by a
 * process that died refuses connections and is replaced. Access is the file's permission (0600):
 * whoever may read the data dir already holds the data.
 */
export const createKeyRequestSchema = z.object({ tenant: z.string().min(1).max(100), name: z.string().min(1).max(100) });

export const rotateMasterKeyRequestSchema = z.object({ batchSize: z.number().int().min(1).max(10_000).default(100) });

/**
 * What a holder answers on GET /status. `starting`: a platform that holds the lock but does not
 * serve operator commands yet; `ready`: it serves them; `busy`: an operator command holds the
 * embedded database itself for a moment.
 */
export const operatorStatusSchema = z.object({
  holder: z.enum(['platform', 'admin-cli']),
  state: z.enum(['starting', 'ready', 'busy']),
  pid: z.number().int(),
});
export type OperatorStatus = z.infer<typeof operatorStatusSchema>;
export type OperatorSocketHolder = OperatorStatus['holder'];

export function operatorSocketPath(dataDir: string): string {
  return path.join(dataDir, 'operator.sock');
}

/** The operations the socket serves once the holder has them ready. */
export interface OperatorServices {
  tenants: TenantsService;
  /** Rewraps every tenant data key under the running platform's current master key. */
  rotateMasterKey?: (batchSize: number, onProgress: (progress: RotationProgress) => void) => Promise<RotationProgress>;
}

export interface OperatorSocket {
  readonly socketPath: string;
  /** From now on operator commands are served (until then they are answered 503 "starting"). */
  serve(services: OperatorServices): void;
  /** Releases the lock (the socket file goes with it). */
  close(): Promise<void>;
}

/**
 * Another live process holds the data dir. `status` is null when it does not say who it is:
 * `answered` false means it accepted the connection but did not answer in time (PGlite's
 * migrations block a process's event loop for seconds), true that it is an older version.
 */
export class OperatorSocketHeldError extends Error {
  constructor(
    readonly socketPath: string,
    readonly status: OperatorStatus | null,
    readonly answered: boolean,
  ) {
    super(describeHolder(socketPath, status, answered));
    this.name = 'OperatorSocketHeldError';
  }
}

function describeHolder(socketPath: string, status: OperatorStatus | null, answered: boolean): string {
  const dataDir = path.dirname(socketPath);
  if (status?.holder === 'platform') {
    return `another Switchyard platform (pid ${status.pid}, ${status.state}) holds the embedded database in ${dataDir}: stop it first, or give this one another SWITCHYARD_DATA_DIR`;
  }
  if (status?.holder === 'admin-cli') {
    return `an operator command (npm run admin, pid ${status.pid}) holds the embedded database in ${dataDir} for a moment: try again when it has finished`;
  }
  if (!answered) return `a process holds the embedded database in ${dataDir} but does not answer on ${socketPath} (busy, or hung): try again in a moment, or stop it`;
  return `another process answers on ${socketPath}, so it holds the embedded database in ${dataDir}: stop it first, or use another SWITCHYARD_DATA_DIR`;
}

export type OperatorProbe = { kind: 'held'; status: OperatorStatus | null; answered: boolean } | { kind: 'stale' } | { kind: 'absent' };

/** Who answers on the socket: a live holder, a file nobody listens on (stale), or no file. */
export function probeOperatorSocket(socketPath: string, timeoutMs = 5_000): Promise<OperatorProbe> {
  return new Promise((resolve) => {
    const call = request({ socketPath, path: '/status', method: 'GET', timeout: timeoutMs }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        let status: OperatorStatus | null = null;
        try {
          status = operatorStatusSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          // A holder that does not say who it is (an older version): still a live holder.
        }
        resolve({ kind: 'held', status, answered: true });
      });
      response.on('error', () => resolve({ kind: 'held', status: null, answered: false }));
    });
    // It accepted the connection but does not answer: alive, and holding the directory.
    call.once('timeout', () => call.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    call.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') resolve({ kind: 'stale' });
      else if (error.code === 'ENOENT') resolve({ kind: 'absent' });
      else resolve({ kind: 'held', status: null, answered: false });
    });
    call.end();
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `replace` while holding `<socket>.takeover` (created exclusively). Without it two processes
 * that both found the same stale socket could each remove it, and the later one would remove the
 * socket the earlier one had just bound: both would then believe they hold the directory.
 * A takeover file whose process is gone is removed; it is held only for one probe and one unlink.
 */
async function withTakeoverLock(socketPath: string, replace: () => Promise<void>): Promise<void> {
  const lockFile = `${socketPath}.takeover`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await writeFile(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = Number(await readFile(lockFile, 'utf8').catch(() => 'gone'));
    const ageMs = await stat(lockFile).then((info) => Date.now() - info.mtimeMs, () => 0);
    // An empty file is one being written right now, unless it has been empty for a while (its writer died).
    const ownerGone = Number.isInteger(owner) && owner > 0 ? !isAlive(owner) : ageMs > 2_000;
    if (ownerGone) {
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`${lockFile} is held by process ${owner} for more than 10 s; remove it if no Switchyard process runs`);
    await sleep(25);
  }
  try {
    await replace();
  } finally {
    await rm(lockFile, { force: true });
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 10_000) chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

async function answerCommand(services: OperatorServices, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  const reply = (status: number, payload: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
  };
  if (request.method === 'POST' && request.url === '/rotate-master-key' && services.rotateMasterKey) {
    let batchSize: number;
    try {
      batchSize = rotateMasterKeyRequestSchema.parse(JSON.parse(body || '{}')).batchSize;
    } catch {
      return reply(400, { error: 'expected {"batchSize": 1..10000}' });
    }
    // One JSON line per batch, then the result: the CLI prints progress as it happens.
    response.writeHead(200, { 'content-type': 'application/x-ndjson' });
    try {
      const result = await services.rotateMasterKey(batchSize, (progress) => response.write(`${JSON.stringify({ progress })}\n`));
      response.end(`${JSON.stringify({ result })}\n`);
    } catch (error) {
      response.end(`${JSON.stringify({ error: error instanceof Error ? error.message : 'failed' })}\n`);
    }
    return;
  }
  if (request.method !== 'POST' || request.url !== '/keys') return reply(404, { error: 'unknown operator command' });
  let parsed: z.infer<typeof createKeyRequestSchema>;
  try {
    parsed = createKeyRequestSchema.parse(JSON.parse(body));
  } catch {
    return reply(400, { error: 'expected {"tenant": slug, "name": name}' });
  }
  try {
    const created = await services.tenants.createApiKey({ tenantSlug: parsed.tenant, name: parsed.name }, OPERATOR_PRINCIPAL);
    reply(200, { secret: created.secret });
  } catch (error) {
    reply(400, { error: error instanceof Error ? error.message : 'failed' });
  }
}

function listenOn(server: ReturnType<typeof createServer>, socketPath: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(socketPath, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Takes the data dir's lock by binding its operator socket, before the caller opens anything in
 * it. Throws OperatorSocketHeldError when a live process holds it. Until `serve` is called every
 * command is answered 503 with the holder's state, so a CLI can tell "starting" from "gone".
 */
export async function claimOperatorSocket(options: { socketPath: string; holder: OperatorSocketHolder }): Promise<OperatorSocket> {
  const { socketPath, holder } = options;
  await mkdir(path.dirname(socketPath), { recursive: true });
  let services: OperatorServices | null = null;
  const status = (): OperatorStatus => ({ holder, state: holder === 'admin-cli' ? 'busy' : services ? 'ready' : 'starting', pid: process.pid });
  const server = createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/status') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status()));
      return;
    }
    if (!services) {
      request.resume();
      const error = holder === 'admin-cli' ? 'an operator command holds the embedded database for a moment' : 'the platform is still starting: operator commands are served once its database is ready';
      response.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ ...status(), error }));
      return;
    }
    const serving = services;
    answerCommand(serving, request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'operator command failed' }));
    });
  });

  for (let attempt = 1; ; attempt += 1) {
    try {
      await listenOn(server, socketPath);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
    const probe = await probeOperatorSocket(socketPath);
    if (probe.kind === 'held') throw new OperatorSocketHeldError(socketPath, probe.status, probe.answered);
    if (probe.kind === 'stale') {
      // Probed again under the takeover lock: only a socket still refusing connections is removed.
      await withTakeoverLock(socketPath, async () => {
        if ((await probeOperatorSocket(socketPath)).kind === 'stale') await unlink(socketPath).catch(() => undefined);
      });
    }
    // Then bind again: if someone else bound in between, EADDRINUSE brings us back here to ask who.
  }
  await chmod(socketPath, 0o600);

  return {
    socketPath,
    serve(ready) {
      services = ready;
    },
    // Closing the server removes the socket file (libuv unlinks it), which releases the lock.
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The platform's claim: an operator command holding the embedded database (seconds), or a holder
 * too busy to answer, is waited for up to `waitMs` with progress; another platform is refused at
 * once. Waiting rather than refusing matters when `npm start` and a command are run together: the
 * command may bind first while the platform is still loading its modules.
 */
export async function claimOperatorSocketForPlatform(options: { socketPath: string; progress: (line: string) => void; waitMs?: number; pollMs?: number }): Promise<OperatorSocket> {
  const { socketPath, progress, waitMs = 60_000, pollMs = 250 } = options;
  const deadline = Date.now() + waitMs;
  let lastReportAt = 0;
  for (;;) {
    try {
      return await claimOperatorSocket({ socketPath, holder: 'platform' });
    } catch (error) {
      const passing = error instanceof OperatorSocketHeldError && (error.status?.holder === 'admin-cli' || !error.answered);
      if (!passing || Date.now() >= deadline) throw error;
      // Once, then every 10 s: a busy holder flips between answering and not.
      if (Date.now() - lastReportAt >= 10_000) {
        const waitingFor = error.status ? `the operator command (pid ${error.status.pid}) holding the embedded database to finish` : `the process holding ${socketPath} to answer`;
        progress(`operator socket: waiting up to ${Math.round((deadline - Date.now()) / 1000)} s for ${waitingFor}…`);
        lastReportAt = Date.now();
      }
    }
    await sleep(pollMs);
  }
}

export type OperatorTarget = { kind: 'platform'; status: OperatorStatus | null } | { kind: 'locked'; lock: OperatorSocket };

/**
 * For the operator CLI on the embedded database: either the running platform serves the command
 * (`platform`), or this process now holds the lock and may open the database itself (`locked`;
 * close the lock when done). While a platform is starting, or another command holds the
 * database, it waits up to `waitMs` with progress, then fails: a key written beside a running
 * platform would never be seen by it.
 */
export async function reachOperator(options: { socketPath: string; waitMs: number; progress: (line: string) => void; pollMs?: number; startedAt?: number }): Promise<OperatorTarget> {
  const { socketPath, waitMs, progress, pollMs = 250, startedAt = Date.now() } = options;
  let lastReported = '';
  let lastReportAt = 0;
  for (;;) {
    let held: OperatorSocketHeldError;
    try {
      return { kind: 'locked', lock: await claimOperatorSocket({ socketPath, holder: 'admin-cli' }) };
    } catch (error) {
      if (!(error instanceof OperatorSocketHeldError)) throw error;
      held = error;
    }
    const status = held.status;
    // A holder that answers without saying its state is an older platform, whose socket existed only once ready.
    if (held.answered && (!status || status.state === 'ready')) return { kind: 'platform', status };
    const elapsedMs = Date.now() - startedAt;
    const who = !status
      ? `the process holding ${socketPath} to answer`
      : status.holder === 'platform'
        ? `the platform (pid ${status.pid}) to finish starting`
        : `the operator command of pid ${status.pid} to finish`;
    if (elapsedMs >= waitMs) {
      throw new Error(
        status?.holder === 'platform'
          ? `the platform (pid ${status.pid}) on ${path.dirname(socketPath)} is still starting after ${Math.round(elapsedMs / 1000)} s and does not serve operator commands yet (nothing was changed); try again in a moment, or wait longer with --wait <seconds>`
          : `${held.message} (waited ${Math.round(elapsedMs / 1000)} s; wait longer with --wait <seconds>)`,
      );
    }
    if (who !== lastReported || Date.now() - lastReportAt >= 10_000) {
      progress(`waiting for ${who}… (${Math.round(elapsedMs / 1000)} s of at most ${Math.round(waitMs / 1000)} s)`);
      lastReported = who;
      lastReportAt = Date.now();
    }
    await sleep(Math.min(pollMs, Math.max(0, waitMs - elapsedMs)));
  }
}
