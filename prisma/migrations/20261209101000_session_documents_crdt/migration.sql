-- CreateTable
CREATE TABLE "session_documents" (
    "tenant_id" UUID NOT NULL,
    "session_id" TEXT NOT NULL,
    "state" BYTEA NOT NULL,
    "state_bytes" INTEGER NOT NULL,
    "pending_bytes" INTEGER NOT NULL DEFAULT 0,
    "pending_updates" INTEGER NOT NULL DEFAULT 0,
    "data_classification" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_documents_pkey" PRIMARY KEY ("tenant_id","session_id")
);

-- CreateTable
CREATE TABLE "session_document_updates" (
    "tenant_id" UUID NOT NULL,
    "session_id" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "update" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "session_document_updates_pkey" PRIMARY KEY ("tenant_id","session_id","digest")
);

-- CreateTable
CREATE TABLE "session_document_subjects" (
    "tenant_id" UUID NOT NULL,
    "session_id" TEXT NOT NULL,
    "subject_id" TEXT NOT NULL,

    CONSTRAINT "session_document_subjects_pkey" PRIMARY KEY ("tenant_id","session_id","subject_id")
);

-- CreateIndex
CREATE INDEX "session_documents_updated_at_idx" ON "session_documents"("updated_at");

-- CreateIndex
CREATE INDEX "session_document_subjects_subject_id_idx" ON "session_document_subjects"("subject_id");

-- AddForeignKey
ALTER TABLE "session_documents" ADD CONSTRAINT "session_documents_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_document_updates" ADD CONSTRAINT "session_document_updates_tenant_id_session_id_fkey" FOREIGN KEY ("tenant_id", "session_id") REFERENCES "session_documents"("tenant_id", "session_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "session_document_subjects" ADD CONSTRAINT "session_document_subjects_tenant_id_session_id_fkey" FOREIGN KEY ("tenant_id", "session_id") REFERENCES "session_documents"("tenant_id", "session_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks, grants, RLS, retention).
-- ---------------------------------------------------------------------------

ALTER TABLE "session_documents" ADD CONSTRAINT "session_documents_session_id_shape" CHECK ("session_id" ~ '^[A-Za-z0-9_.:-]{1,128}$');
ALTER TABLE "session_documents" ADD CONSTRAINT "session_documents_classification_known"
  CHECK ("data_classification" IN ('public', 'internal', 'confidential', 'restricted'));
ALTER TABLE "session_documents" ADD CONSTRAINT "session_documents_sizes_non_negative"
  CHECK ("state_bytes" >= 0 AND "pending_bytes" >= 0 AND "pending_updates" >= 0);
ALTER TABLE "session_document_updates" ADD CONSTRAINT "session_document_updates_digest_shape" CHECK ("digest" ~ '^[0-9a-f]{64}$');
ALTER TABLE "session_document_subjects" ADD CONSTRAINT "session_document_subjects_subject_length" CHECK (char_length("subject_id") BETWEEN 1 AND 200);

GRANT SELECT, INSERT, UPDATE, DELETE ON "session_documents" TO switchyard_app;
GRANT SELECT, INSERT, DELETE ON "session_document_updates" TO switchyard_app;
GRANT SELECT, INSERT, DELETE ON "session_document_subjects" TO switchyard_app;

-- A tenant reads and writes its own documents. The platform scope reads documents and their
-- subjects (a data-subject request finds a person's documents in every tenant, then deletes them
-- tenant by tenant as that tenant); it never reads the updates.
ALTER TABLE "session_documents" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "session_documents" FORCE ROW LEVEL SECURITY;
CREATE POLICY "session_documents_tenant_isolation" ON "session_documents"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
CREATE POLICY "session_documents_platform_read" ON "session_documents" FOR SELECT TO switchyard_platform USING (true);

ALTER TABLE "session_document_updates" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "session_document_updates" FORCE ROW LEVEL SECURITY;
CREATE POLICY "session_document_updates_tenant_isolation" ON "session_document_updates"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "session_document_subjects" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "session_document_subjects" FORCE ROW LEVEL SECURITY;
CREATE POLICY "session_document_subjects_tenant_isolation" ON "session_document_subjects"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
CREATE POLICY "session_document_subjects_platform_read" ON "session_document_subjects" FOR SELECT TO switchyard_platform USING (true);

-- Retention: deletes every document (its updates and subjects cascade) not written for longer
-- than its classification's retention (p_retention_days: classification -> days, from
-- @switchyard/db/tenant-settings), or than the tenant's current default classification's when that
-- is stricter (a tenant that raised its classification shortens what it already stored). Returns
-- the documents deleted.
CREATE FUNCTION switchyard_session_documents_expire(p_now timestamptz, p_retention_days jsonb)
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
  deleted bigint;
  longest integer;
BEGIN
  SELECT max(value::integer) INTO longest FROM jsonb_each_text(p_retention_days);
  IF longest IS NULL OR longest < 1 THEN
    RAISE EXCEPTION 'p_retention_days must name at least one positive retention';
  END IF;
  DELETE FROM "session_documents" d
  USING "tenants" t
  WHERE t."id" = d."tenant_id"
    AND d."updated_at" < p_now - make_interval(days => LEAST(
      COALESCE((p_retention_days ->> d."data_classification")::integer, longest),
      COALESCE((p_retention_days ->> t."default_data_classification")::integer, longest)));
  GET DIAGNOSTICS deleted = ROW_COUNT;
  RETURN deleted;
END
$$;

REVOKE ALL ON FUNCTION switchyard_session_documents_expire(timestamptz, jsonb) FROM PUBLIC, switchyard_app;
GRANT EXECUTE ON FUNCTION switchyard_session_documents_expire(timestamptz, jsonb) TO switchyard_platform;
