import { randomUUID } from 'node:crypto';
import type { Database } from '@switchyard/db';

/** Two fresh tenants for a contract run (the rows reference `tenants`). */
export async function createTenants(db: Database): Promise<[string, string]> {
  const create = async (slug: string) => (await db.withPlatform((tx) => tx.tenant.create({ data: { slug: `${slug}-${randomUUID().slice(0, 8)}`, name: slug }, select: { id: true } }))).id;
  return [await create('vm-a'), await create('vm-b')];
}
