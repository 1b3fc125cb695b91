import { randomUUID } from 'node:crypto';
import { createInMemoryRouteTable } from './route-table';
import { runRouteTableContract } from './route-table.contract';

runRouteTableContract('in memory', (defaults) => {
  // Constructed synchronously; a duplicate default must surface as a rejected factory.
  return Promise.resolve().then(() => {
    const table = createInMemoryRouteTable(defaults);
    return {
      table,
      newTenant: () => Promise.resolve(randomUUID()),
      setRoutes: (tenantId, routes) => Promise.resolve(table.setTenantRoutes(tenantId, routes)),
    };
  });
});
