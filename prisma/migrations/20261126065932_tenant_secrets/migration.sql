-- CreateTable
CREATE TABLE "tenant_data_keys" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "master_key_id" TEXT NOT NULL,
    "wrapped_key" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rewrapped_at" TIMESTAMPTZ(3),

    CONSTRAINT "tenant_data_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "provider_credentials" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "nonce" BYTEA NOT NULL,
    "data_key_id" UUID NOT NULL,
    "last4" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotated_at" TIMESTAMPTZ(3),

    CONSTRAINT "provider_credentials_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tenant_alert_webhooks" (
    "tenant_id" UUID NOT NULL,
    "url" TEXT NOT NULL,
    "secret_ciphertext" BYTEA NOT NULL,
    "secret_nonce" BYTEA NOT NULL,
    "data_key_id" UUID NOT NULL,
    "secret_last4" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tenant_alert_webhooks_pkey" PRIMARY KEY ("tenant_id")
);

-- CreateIndex
CREATE INDEX "tenant_data_keys_master_key_id_idx" ON "tenant_data_keys"("master_key_id");

-- CreateIndex
CREATE UNIQUE INDEX "tenant_data_keys_tenant_id_version_key" ON "tenant_data_keys"("tenant_id", "version");

-- CreateIndex
CREATE INDEX "provider_credentials_data_key_id_idx" ON "provider_credentials"("data_key_id");

-- CreateIndex
CREATE UNIQUE INDEX "provider_credentials_tenant_id_provider_key" ON "provider_credentials"("tenant_id", "provider");

-- CreateIndex
CREATE INDEX "tenant_alert_webhooks_data_key_id_idx" ON "tenant_alert_webhooks"("data_key_id");

-- AddForeignKey
ALTER TABLE "tenant_data_keys" ADD CONSTRAINT "tenant_data_keys_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_credentials" ADD CONSTRAINT "provider_credentials_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "provider_credentials" ADD CONSTRAINT "provider_credentials_data_key_id_fkey" FOREIGN KEY ("data_key_id") REFERENCES "tenant_data_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_alert_webhooks" ADD CONSTRAINT "tenant_alert_webhooks_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tenant_alert_webhooks" ADD CONSTRAINT "tenant_alert_webhooks_data_key_id_fkey" FOREIGN KEY ("data_key_id") REFERENCES "tenant_data_keys"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks, grants, RLS, functions).
-- ---------------------------------------------------------------------------

ALTER TABLE "tenant_data_keys" ADD CONSTRAINT "tenant_data_keys_version_positive" CHECK ("version" > 0);
ALTER TABLE "provider_credentials" ADD CONSTRAINT "provider_credentials_nonce_size" CHECK (octet_length("nonce") = 12);
ALTER TABLE "tenant_alert_webhooks" ADD CONSTRAINT "tenant_alert_webhooks_nonce_size" CHECK (octet_length("secret_nonce") = 12);

GRANT SELECT, INSERT, UPDATE, DELETE ON "tenant_data_keys", "provider_credentials", "tenant_alert_webhooks" TO switchyard_app;

ALTER TABLE "tenant_data_keys" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "tenant_data_keys" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_data_keys_tenant_isolation" ON "tenant_data_keys"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "provider_credentials" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "provider_credentials" FORCE ROW LEVEL SECURITY;
CREATE POLICY "provider_credentials_tenant_isolation" ON "provider_credentials"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

ALTER TABLE "tenant_alert_webhooks" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "tenant_alert_webhooks" FORCE ROW LEVEL SECURITY;
CREATE POLICY "tenant_alert_webhooks_tenant_isolation" ON "tenant_alert_webhooks"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));

-- Master-key rotation and the data plane's start-up load must find rows of every tenant before
-- they know the tenant. These lookups run as the owner and return only ids and key ids, never
-- key material; every read and rewrap of a row then happens under RLS for its tenant.
CREATE FUNCTION switchyard_data_keys_to_rewrap(p_master_key_id text, p_limit integer)
RETURNS TABLE (tenant_id uuid, data_key_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT k."tenant_id", k."id"
  FROM "tenant_data_keys" k
  WHERE k."master_key_id" <> p_master_key_id
  ORDER BY k."id"
  LIMIT p_limit
$$;
REVOKE ALL ON FUNCTION switchyard_data_keys_to_rewrap(text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_data_keys_to_rewrap(text, integer) TO switchyard_app;

CREATE FUNCTION switchyard_data_keys_per_master_key()
RETURNS TABLE (master_key_id text, data_keys bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT k."master_key_id", count(*) FROM "tenant_data_keys" k GROUP BY k."master_key_id" ORDER BY 1
$$;
REVOKE ALL ON FUNCTION switchyard_data_keys_per_master_key() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_data_keys_per_master_key() TO switchyard_app;

CREATE FUNCTION switchyard_tenants_with_provider_credentials()
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT DISTINCT c."tenant_id" FROM "provider_credentials" c ORDER BY 1
$$;
REVOKE ALL ON FUNCTION switchyard_tenants_with_provider_credentials() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION switchyard_tenants_with_provider_credentials() TO switchyard_app;
