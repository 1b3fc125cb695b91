import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Witness } from './witness';
import { WitnessRefusal } from './witness-errors';

/** A checkpoint with its proof is well under 10 KiB; anything much larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;
const CHECKPOINTS_PATH = /^\/witness\/v1\/regions\/([A-Za-z0-9_.:-]{1,64})\/checkpoints$/;

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  response.end(text);
}

function refuse(response: ServerResponse, refusal: WitnessRefusal): void {
  send(response, refusal.status, { error: { code: refusal.code, message: refusal.message, ...refusal.details } });
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new WitnessRefusal('payload_too_large', `at most ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new WitnessRefusal('payload_too_large', `at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new WitnessRefusal('malformed_checkpoint', 'the body is not JSON');
  }
}

/**
 * The witness's HTTP API (docs/OPERATIONS.md, "Central audit witness"):
 * `POST /witness/v1/regions/<region>/checkpoints` a region's signed checkpoint (201 stored, 200 held
 * already, else a refusal with a stable code); `GET` the same path: `{ region, logId, checkpoints }`;
 * `GET /healthz`, `/readyz`. Signatures, not the caller, make a checkpoint acceptable, so posting needs
 * no credential; reading shows only signed tree heads (sizes and roots, no entry).
 */
export function createWitnessServer(witness: Witness, logger: Logger, isReady: () => boolean = () => true): Server {
  return createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', 'http://witness');
      if (url.pathname === '/healthz') return send(response, 200, { status: 'ok' });
      if (url.pathname === '/readyz') return send(response, isReady() ? 200 : 503, { status: isReady() ? 'ready' : 'stopping' });
      const match = CHECKPOINTS_PATH.exec(url.pathname);
      if (!match) return refuse(response, new WitnessRefusal('not_found', 'no such path'));
      const region = match[1]!;
      if (request.method === 'GET') return send(response, 200, await witness.checkpoints(region));
      if (request.method !== 'POST') {
        response.setHeader('allow', 'GET, POST');
        return refuse(response, new WitnessRefusal('method_not_allowed', 'GET or POST'));
      }
      const outcome = await witness.submit(region, await readJson(request));
      logger.info({ region, treeSize: outcome.treeSize, stored: outcome.stored }, outcome.stored ? 'checkpoint witnessed' : 'checkpoint already witnessed');
      send(response, outcome.stored ? 201 : 200, outcome);
    })().catch((error: unknown) => {
      if (error instanceof WitnessRefusal) {
        if (error.status === 403 || error.code === 'checkpoint_equivocation' || error.code === 'checkpoint_fork' || error.code === 'checkpoint_rollback') {
          // The evidence the witness exists for: a region's log misbehaving, or someone posing as it.
          logger.warn({ url: request.url, code: error.code, reason: error.message }, 'checkpoint refused');
        }
        if (!response.headersSent) refuse(response, error);
        return;
      }
      logger.error({ err: String(error) }, 'witness request failed');
      if (!response.headersSent) send(response, 503, { error: { code: 'witness_unavailable', message: 'the witness cannot reach its store; retry' } });
    });
  });
}
