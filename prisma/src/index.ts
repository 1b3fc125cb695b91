// Public API of @switchyard/db. Named exports only.
export { createDatabase, tenantUrlFor, TENANT_ROLE, PLATFORM_ROLE } from './create-database';
export type { CreateDatabaseOptions } from './create-database';
export { DatabaseError } from './database';
export type { SqlReader } from './sql-reads';
export { isDatabaseUnavailableError } from './database-availability';
export type { Database, DatabaseErrorCode, ModelPriceEntry, PlatformWorkOptions, PriceBook, ResolvedApiKey, ResolvedMembership, TenantTx } from './database';
export { seed, priceBookV1, demoTenant } from './seed';
export { loadDbConfig } from './config';
export type { DbConfig } from './config';
export { MigrationError } from './migrator';
export { Prisma, Role } from './generated/client';
export type { ApiKey, CostRollup, Member, ModelPrice, PriceBookVersion, Tenant, UsageEvent } from './generated/client';
