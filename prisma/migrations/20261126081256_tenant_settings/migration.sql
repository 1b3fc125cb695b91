-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "allowed_regions" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "default_data_classification" TEXT NOT NULL DEFAULT 'internal',
ADD COLUMN     "requests_per_minute" INTEGER,
ADD COLUMN     "tokens_per_day" INTEGER,
ADD COLUMN     "tokens_per_minute" INTEGER;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks). The tenants table's RLS
-- policy ("tenants_own_or_platform") and grants cover the new columns: nothing to add there.
-- ---------------------------------------------------------------------------

ALTER TABLE "tenants" ADD CONSTRAINT "tenants_allowed_regions_set" CHECK ("allowed_regions" IS NOT NULL AND cardinality("allowed_regions") <= 32);
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_default_data_classification_known"
  CHECK ("default_data_classification" IN ('public', 'internal', 'confidential', 'restricted'));
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_quotas_positive"
  CHECK (("requests_per_minute" IS NULL OR "requests_per_minute" > 0)
     AND ("tokens_per_minute" IS NULL OR "tokens_per_minute" > 0)
     AND ("tokens_per_day" IS NULL OR "tokens_per_day" > 0));
