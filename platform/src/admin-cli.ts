// Operator CLI: `npm run -s admin -- key create --tenant <slug> [--name <name>]`.
// Prints only the result on stdout (scriptable); progress and errors go to stderr.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { request } from 'node:http';
import { parseArgs } from 'node:util';
import type { PlatformEnv } from './config';

process.env.APOLLO_TELEMETRY_DISABLED = '1';

const USAGE = 'usage: npm run -s admin -- key create --tenant <slug> [--name <name>]';

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function viaOperatorSocket(socketPath: string, body: { tenant: string; name: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const call = request({ socketPath, path: '/keys', method: 'POST', headers: { 'content-type': 'application/json' } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const reply = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { secret?: string; error?: string };
        if (reply.secret) resolve(reply.secret);
        else reject(new Error(reply.error ?? 'operator socket refused the command'));
      });
    });
    call.once('error', reject);
    call.end(JSON.stringify(body));
  });
}

async function createKeyDirectly(env: PlatformEnv, tenant: string, name: string): Promise<string> {
  const { createDatabase } = await import('@switchyard/db');
  const { createInProcessBus, createRedisBus } = await import('@switchyard/data-plane/bus');
  const { createTenantsService } = await import('@switchyard/subgraph-tenants');
  const { OPERATOR_PRINCIPAL } = await import('./operator-principal');
  const db = env.DATABASE_URL
    ? await createDatabase({ url: env.DATABASE_URL })
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

const { positionals, values } = parseArgs({
  args: process.argv.slice(2),
  allowPositionals: true,
  options: { tenant: { type: 'string' }, name: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
if (values.help) fail(USAGE, 0);
const [noun, verb] = positionals;
if (noun !== 'key' || verb !== 'create') fail(USAGE, 2);
if (!values.tenant) fail(`missing --tenant\n${USAGE}`, 2);

try {
  const { parsePlatformEnv } = await import('./config');
  const env = parsePlatformEnv();
  const name = values.name ?? `cli-${new Date().toISOString()}`;
  const socketPath = path.join(env.SWITCHYARD_DATA_DIR, 'operator.sock');
  let secret: string | null = null;
  if (!env.DATABASE_URL && existsSync(socketPath)) {
    secret = await viaOperatorSocket(socketPath, { tenant: values.tenant, name }).catch((error: NodeJS.ErrnoException) => {
      // A socket left behind by a platform that died: nobody holds the database, open it directly.
      if (error.code === 'ECONNREFUSED') return null;
      throw error;
    });
  }
  secret ??= await createKeyDirectly(env, values.tenant, name);
  process.stdout.write(`${secret}\n`);
} catch (error) {
  fail(`key create failed: ${error instanceof Error ? error.message : String(error)}`);
}
