/** A stored route, as the service and resolvers see it. `definition` is the validated JSON. */
export interface RouteRecord {
  id: string;
  tenantId: string;
  name: string;
  definition: unknown;
  version: number;
  /** While set, the data plane serves this version (the route's definition is its copy) and nothing changes the route. */
  pinnedVersion: number | null;
  createdBy: string;
  updatedBy: string;
  createdAt: Date;
  updatedAt: Date;
}
