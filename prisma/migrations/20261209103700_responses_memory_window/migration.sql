-- CreateTable
CREATE TABLE "memory_sessions" (
    "tenant_id" UUID NOT NULL,
    "session_id" TEXT NOT NULL,
    "turns" JSONB NOT NULL,
    "bytes" INTEGER NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "memory_sessions_pkey" PRIMARY KEY ("tenant_id","session_id")
);

-- CreateTable
CREATE TABLE "memory_responses" (
    "tenant_id" UUID NOT NULL,
    "id" TEXT NOT NULL,
    "session_id" TEXT NOT NULL,
    "record" JSONB NOT NULL,
    "bytes" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "memory_responses_pkey" PRIMARY KEY ("tenant_id","id")
);

-- CreateIndex
CREATE INDEX "memory_sessions_expires_at_idx" ON "memory_sessions"("expires_at");

-- CreateIndex
CREATE INDEX "memory_responses_tenant_id_session_id_idx" ON "memory_responses"("tenant_id", "session_id");

-- CreateIndex
CREATE INDEX "memory_responses_expires_at_idx" ON "memory_responses"("expires_at");

-- AddForeignKey
ALTER TABLE "memory_sessions" ADD CONSTRAINT "memory_sessions_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "memory_responses" ADD CONSTRAINT "memory_responses_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks, grants, RLS).
-- ---------------------------------------------------------------------------

ALTER TABLE "memory_sessions" ADD CONSTRAINT "memory_sessions_session_id_length" CHECK (char_length("session_id") BETWEEN 1 AND 256);
ALTER TABLE "memory_sessions" ADD CONSTRAINT "memory_sessions_bytes_nonnegative" CHECK ("bytes" >= 0);
ALTER TABLE "memory_responses" ADD CONSTRAINT "memory_responses_id_length" CHECK (char_length("id") BETWEEN 1 AND 256);
ALTER TABLE "memory_responses" ADD CONSTRAINT "memory_responses_session_id_length" CHECK (char_length("session_id") BETWEEN 1 AND 256);
ALTER TABLE "memory_responses" ADD CONSTRAINT "memory_responses_bytes_nonnegative" CHECK ("bytes" >= 0);

-- The data plane writes a tenant's session snapshot inside that tenant's transaction; expired rows
-- are deleted by the same tenant's later writes.
GRANT SELECT, INSERT, UPDATE, DELETE ON "memory_sessions" TO switchyard_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON "memory_responses" TO switchyard_app;

-- A tenant reads and writes only its own rows; the platform scope reads every tenant's (an admin
-- surface listing sessions, data-subject exports).
ALTER TABLE "memory_sessions" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "memory_sessions" FORCE ROW LEVEL SECURITY;
CREATE POLICY "memory_sessions_tenant_isolation" ON "memory_sessions"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
CREATE POLICY "memory_sessions_platform_read" ON "memory_sessions" FOR SELECT TO switchyard_platform USING (true);

ALTER TABLE "memory_responses" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "memory_responses" FORCE ROW LEVEL SECURITY;
CREATE POLICY "memory_responses_tenant_isolation" ON "memory_responses"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
CREATE POLICY "memory_responses_platform_read" ON "memory_responses" FOR SELECT TO switchyard_platform USING (true);
