/** A stored route, as the service and resolvers see it. `definition` is the validated JSON. */
export interface RouteRecord {
  id: string;
  tenantId: string;
  name: string;
  definition: unknown;
  version: number;
  createdBy: string;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}
