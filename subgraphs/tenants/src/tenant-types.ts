/** Domain types of the tenants subgraph (what the store returns and the resolvers shape). */
export interface Tenant {
  id: string;
  slug: string;
  name: string;
  createdAt: Date;
}

export interface ApiKey {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface Viewer {
  subject: string;
  email: string | null;
  roles: string[];
  tenantId: string | null;
}
