import type { TenantsContext } from '../context';
import type { Tenant, Viewer } from '../tenant-types';

export const queryResolvers = {
  viewer: (_parent: unknown, _args: unknown, { service, principal }: TenantsContext): Viewer => service.viewer(principal),
  tenants: (_parent: unknown, _args: unknown, { service, principal }: TenantsContext): Promise<Tenant[]> => service.listTenants(principal),
  tenant: (_parent: unknown, args: { slug: string }, { service, principal }: TenantsContext): Promise<Tenant | null> =>
    service.findTenantBySlug(args.slug, principal),
};
