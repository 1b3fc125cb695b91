// Child process of the two-process concurrency test: N concurrent spenders against one budget.
// Usage: tsx test/spend-cli.ts <databaseUrl> <tenantId> <budgetId> <spenders> <amount> <keyPrefix>
// Prints one JSON line: { committed: string[] (charge ids), exceeded: number, failed: string[] }.
import { createInProcessBus } from '@switchyard/bus';
import { createDatabase } from '@switchyard/db';
import type { Principal } from '@switchyard/identity';
import { createDpService } from '../src/dp-service';
import { createDpMetrics } from '../src/metrics';

const [databaseUrl, tenantId, budgetId, spendersText, amount, keyPrefix] = process.argv.slice(2);
if (!databaseUrl || !tenantId || !budgetId || !spendersText || !amount || !keyPrefix) throw new Error('usage: spend-cli <db> <tenant> <budget> <n> <amount> <prefix>');

const db = await createDatabase({ url: databaseUrl });
const bus = createInProcessBus();
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
const service = createDpService({ db, bus, metrics: createDpMetrics(), logger: quiet });
const admin: Principal = { subject: 'spender', email: null, tenantId, roles: ['tenant_admin'], service: 'test' };

const committed: string[] = [];
const failed: string[] = [];
let exceeded = 0;
await Promise.all(
  Array.from({ length: Number(spendersText) }, async (_, index) => {
    try {
      // Half reserve then commit; half do a noisy release (charge + noise in one step).
      if (index % 2 === 0) {
        const charge = await service.reserve({ budgetId, idempotencyKey: `${keyPrefix}-${index}`, amount, ttlSeconds: 600 }, admin);
        committed.push((await service.commit(charge.id, admin)).id);
      } else {
        const release = await service.releaseNoisyAggregate(
          { budgetId, idempotencyKey: `${keyPrefix}-${index}`, value: '1000', sensitivity: '1', mechanism: 'DISCRETE_LAPLACE', privacyParameter: amount },
          admin,
        );
        committed.push(release.charge.id);
      }
    } catch (error) {
      const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
      if (code === 'DP_BUDGET_EXCEEDED') exceeded += 1;
      else failed.push(error instanceof Error ? error.message : String(error));
    }
  }),
);
await bus.close();
await db.close();
process.stdout.write(`${JSON.stringify({ committed, exceeded, failed })}\n`);
