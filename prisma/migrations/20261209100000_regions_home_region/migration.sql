-- A tenant's home region (issue 14): the region whose stores hold its usage, audit entries,
-- memories and request log, and whether only that region's data planes may serve it.
-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "home_region" TEXT,
ADD COLUMN     "region_pinned" BOOLEAN NOT NULL DEFAULT false;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks). The tenants table's RLS
-- policy ("tenants_own_or_platform") and grants cover the new columns: nothing to add there.
-- ---------------------------------------------------------------------------

-- Same token as REGION_PATTERN in @switchyard/db/tenant-settings.
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_home_region_token"
  CHECK ("home_region" IS NULL OR "home_region" ~ '^[A-Za-z0-9_.:-]{1,64}$');
-- Pinned to no region would refuse the tenant everywhere: a pin needs a home.
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_region_pin_has_home"
  CHECK (NOT "region_pinned" OR "home_region" IS NOT NULL);
