import pg from 'pg';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../prisma/src/generated/client';
import { createTestDatabase } from '../prisma/src/testing';
import { seed } from '../prisma/src/seed';
const test = await createTestDatabase();
await seed(test.db);
const pool = new pg.Pool({ connectionString: test.url, options: '-c role=switchyard_platform -c app.scope=platform' });
const direct = new PrismaClient({ adapter: new PrismaPg(pool) });
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const N = 2000;
for (let round = 0; round < 2; round++) {
  let c = cpu(); let t = performance.now();
  for (let i = 0; i < N; i++) await test.db.withPlatform((tx) => tx.tenant.findMany({ select: { id: true } }));
  console.log('withPlatform tx', ((cpu() - c) / N).toFixed(3), 'ms cpu/op', ((performance.now() - t) / N).toFixed(3), 'ms wall/op');
  c = cpu(); t = performance.now();
  for (let i = 0; i < N; i++) await direct.tenant.findMany({ select: { id: true } });
  console.log('role pool no tx ', ((cpu() - c) / N).toFixed(3), 'ms cpu/op', ((performance.now() - t) / N).toFixed(3), 'ms wall/op');
  c = cpu(); t = performance.now();
  for (let i = 0; i < N; i++) await direct.$transaction(async (tx) => tx.tenant.findMany({ select: { id: true } }));
  console.log('role pool tx    ', ((cpu() - c) / N).toFixed(3), 'ms cpu/op', ((performance.now() - t) / N).toFixed(3), 'ms wall/op');
  c = cpu(); t = performance.now();
  for (let i = 0; i < N; i++) await pool.query('SELECT id FROM tenants');
  console.log('raw pg          ', ((cpu() - c) / N).toFixed(3), 'ms cpu/op', ((performance.now() - t) / N).toFixed(3), 'ms wall/op');
}
const [who] = await direct.$queryRaw<{ current_user: string; scope: string }[]>`SELECT current_user, current_setting('app.scope', true) AS scope`;
console.log(who);
await direct.$disconnect(); await pool.end(); await test.drop();
