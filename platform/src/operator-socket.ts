import { createServer } from 'node:http';
import { chmod, rm } from 'node:fs/promises';
import { z } from 'zod';
import type { RotationProgress } from '@switchyard/db/secret-vault';
import type { TenantsService } from '@switchyard/subgraph-tenants';
import { OPERATOR_PRINCIPAL } from './operator-principal';

/**
 * A Unix socket in the data dir through which the operator CLI acts while `npm start` owns the
 * embedded database (PGlite allows one process). Access is the file's permission (0600): whoever
 * may read the data dir already holds the data.
 */
export const createKeyRequestSchema = z.object({ tenant: z.string().min(1).max(100), name: z.string().min(1).max(100) });

export const rotateMasterKeyRequestSchema = z.object({ batchSize: z.number().int().min(1).max(10_000).default(100) });

export interface OperatorSocketOptions {
  socketPath: string;
  tenants: TenantsService;
  /** Rewraps every tenant data key under the running platform's current master key. */
  rotateMasterKey?: (batchSize: number, onProgress: (progress: RotationProgress) => void) => Promise<RotationProgress>;
}

export async function startOperatorSocket(options: OperatorSocketOptions): Promise<{ close(): Promise<void> }> {
  await rm(options.socketPath, { force: true });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= 10_000) chunks.push(chunk);
    });
    request.on('end', () => {
      void (async () => {
        const reply = (status: number, body: unknown) => {
          response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
        };
        if (request.method === 'POST' && request.url === '/rotate-master-key' && options.rotateMasterKey) {
          let batchSize: number;
          try {
            batchSize = rotateMasterKeyRequestSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}')).batchSize;
          } catch {
            return reply(400, { error: 'expected {"batchSize": 1..10000}' });
          }
          // One JSON line per batch, then the result: the CLI prints progress as it happens.
          response.writeHead(200, { 'content-type': 'application/x-ndjson' });
          try {
            const result = await options.rotateMasterKey(batchSize, (progress) => response.write(`${JSON.stringify({ progress })}\n`));
            response.end(`${JSON.stringify({ result })}\n`);
          } catch (error) {
            response.end(`${JSON.stringify({ error: error instanceof Error ? error.message : 'failed' })}\n`);
          }
          return;
        }
        if (request.method !== 'POST' || request.url !== '/keys') return reply(404, { error: 'unknown operator command' });
        let parsed: z.infer<typeof createKeyRequestSchema>;
        try {
          parsed = createKeyRequestSchema.parse(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          return reply(400, { error: 'expected {"tenant": slug, "name": name}' });
        }
        try {
          const created = await options.tenants.createApiKey({ tenantSlug: parsed.tenant, name: parsed.name }, OPERATOR_PRINCIPAL);
          reply(200, { secret: created.secret });
        } catch (error) {
          reply(400, { error: error instanceof Error ? error.message : 'failed' });
        }
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.socketPath, () => resolve());
  });
  await chmod(options.socketPath, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        void rm(options.socketPath, { force: true });
      }),
  };
}
