import { describe, expect, it } from 'vitest';
import { parseRoutes, type Route } from './route';
import type { RouteTable } from './route-table';

/**
 * The contract every RouteTable passes (in memory and database-backed): platform defaults for
 * everyone, a tenant's own routes shadowing them, and no tenant ever seeing another's.
 */
export interface RouteTableFixture {
  table: RouteTable;
  /** A fresh tenant id (the database fixture creates the tenant row). */
  newTenant(): Promise<string>;
  /** Makes `routes` the tenant's whole set and returns once the table reflects it. */
  setRoutes(tenantId: string, routes: readonly Route[]): Promise<void>;
}

export type RouteTableFactory = (defaults: readonly Route[]) => Promise<RouteTableFixture>;

const route = (name: string, model: string): Route => parseRoutes([{ name, candidates: [{ model }], strategy: { kind: 'priority' } }])[0]!;

const DEFAULTS = [route('auto', 'default-model'), route('cheap', 'default-mini')];

const names = (routes: readonly Route[]) => routes.map((r) => r.name);

export function runRouteTableContract(name: string, factory: RouteTableFactory): void {
  describe(`RouteTable contract: ${name}`, () => {
    it('shows every tenant the platform defaults until it has routes of its own', async () => {
      const { table, newTenant } = await factory(DEFAULTS);
      const tenant = await newTenant();
      expect(names(table.list(tenant))).toEqual(['auto', 'cheap']);
      expect(table.get(tenant, 'auto')?.candidates[0]?.model).toBe('default-model');
      expect(table.get(tenant, 'missing')).toBeUndefined();
      expect(names(table.defaults())).toEqual(['auto', 'cheap']);
    });

    it('lets a tenant route shadow a default of the same name, for that tenant only', async () => {
      const { table, newTenant, setRoutes } = await factory(DEFAULTS);
      const a = await newTenant();
      const b = await newTenant();
      await setRoutes(a, [route('auto', 'a-model'), route('a-only', 'a-mini')]);

      expect(table.get(a, 'auto')?.candidates[0]?.model).toBe('a-model');
      expect(table.get(a, 'a-only')?.candidates[0]?.model).toBe('a-mini');
      expect(names(table.list(a)).sort()).toEqual(['a-only', 'auto', 'cheap']);
      expect(table.list(a).filter((r) => r.name === 'auto')).toHaveLength(1);

      // Tenant B sees none of A's routes, and A's shadowing does not leak into B's view.
      expect(table.get(b, 'a-only')).toBeUndefined();
      expect(table.get(b, 'auto')?.candidates[0]?.model).toBe('default-model');
      expect(names(table.list(b))).toEqual(['auto', 'cheap']);
    });

    it('reflects updates and deletions; a deleted shadow brings the default back', async () => {
      const { table, newTenant, setRoutes } = await factory(DEFAULTS);
      const a = await newTenant();
      await setRoutes(a, [route('auto', 'v1'), route('mine', 'm1')]);
      await setRoutes(a, [route('auto', 'v2'), route('mine', 'm1')]);
      expect(table.get(a, 'auto')?.candidates[0]?.model).toBe('v2');
      await setRoutes(a, [route('mine', 'm1')]);
      expect(table.get(a, 'auto')?.candidates[0]?.model).toBe('default-model');
      await setRoutes(a, []);
      expect(table.get(a, 'mine')).toBeUndefined();
      expect(names(table.list(a))).toEqual(['auto', 'cheap']);
    });

    it('works without defaults', async () => {
      const { table, newTenant, setRoutes } = await factory([]);
      const a = await newTenant();
      expect(table.list(a)).toEqual([]);
      await setRoutes(a, [route('solo', 'm')]);
      expect(names(table.list(a))).toEqual(['solo']);
    });

    it('refuses duplicate default names', async () => {
      await expect(factory([route('auto', 'x'), route('auto', 'y')])).rejects.toThrow(/duplicate route name/);
    });
  });
}
