-- CreateTable
CREATE TABLE "audit_entries" (
    "seq" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL,
    "tenant_id" UUID,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "subject_key" TEXT,
    "data_classification" TEXT NOT NULL,
    "payload_digest" TEXT NOT NULL,
    "payload_ciphertext" BYTEA,
    "payload_key_id" TEXT NOT NULL,
    "leaf_hash" TEXT NOT NULL,
    "prev_hash" TEXT NOT NULL,
    "entry_hash" TEXT NOT NULL,
    "idempotency_key" TEXT NOT NULL,

    CONSTRAINT "audit_entries_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "audit_checkpoints" (
    "tree_size" BIGINT NOT NULL,
    "log_id" TEXT NOT NULL,
    "root_hash" TEXT NOT NULL,
    "issued_at" TIMESTAMPTZ(3) NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "audit_checkpoints_pkey" PRIMARY KEY ("tree_size")
);

-- CreateTable
CREATE TABLE "audit_subject_keys" (
    "key_id" TEXT NOT NULL,
    "wrapped_key" BYTEA NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "audit_subject_keys_pkey" PRIMARY KEY ("key_id")
);

-- CreateIndex
CREATE UNIQUE INDEX "audit_entries_idempotency_key_key" ON "audit_entries"("idempotency_key");

-- CreateIndex
CREATE INDEX "audit_entries_tenant_id_seq_idx" ON "audit_entries"("tenant_id", "seq");

-- CreateIndex
CREATE INDEX "audit_entries_subject_key_idx" ON "audit_entries"("subject_key");

-- CreateIndex
CREATE INDEX "audit_entries_occurred_at_idx" ON "audit_entries"("occurred_at");

-- ---------------------------------------------------------------------------
-- Hand-written below this line: grants and RLS of the audit ledger.
-- ---------------------------------------------------------------------------

-- Append-only for the service role: no DELETE, and UPDATE only of the payload ciphertext
-- (retention and erasure drop payloads; every hash of the chain and the tree stays).
GRANT SELECT, INSERT ON "audit_entries" TO switchyard_app;
GRANT UPDATE ("payload_ciphertext") ON "audit_entries" TO switchyard_app;
GRANT SELECT, INSERT ON "audit_checkpoints" TO switchyard_app;
GRANT SELECT, INSERT, DELETE ON "audit_subject_keys" TO switchyard_app;

-- A tenant reads its own entries; the platform scope reads all and is the only one that
-- appends (the ledger service appends under pg_advisory_xact_lock, one total order).
ALTER TABLE "audit_entries" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "audit_entries" FORCE ROW LEVEL SECURITY;
CREATE POLICY "audit_entries_read_own_or_platform" ON "audit_entries" FOR SELECT
  USING ("tenant_id"::text = current_setting('app.tenant_id', true) OR current_setting('app.scope', true) = 'platform');
CREATE POLICY "audit_entries_platform_append" ON "audit_entries" FOR INSERT
  WITH CHECK (current_setting('app.scope', true) = 'platform');
CREATE POLICY "audit_entries_platform_payload_update" ON "audit_entries" FOR UPDATE
  USING (current_setting('app.scope', true) = 'platform')
  WITH CHECK (current_setting('app.scope', true) = 'platform');

-- Signed tree heads are public to every reader of the log; only the platform scope signs.
ALTER TABLE "audit_checkpoints" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "audit_checkpoints" FORCE ROW LEVEL SECURITY;
CREATE POLICY "audit_checkpoints_read_all" ON "audit_checkpoints" FOR SELECT USING (true);
CREATE POLICY "audit_checkpoints_platform_write" ON "audit_checkpoints" FOR INSERT
  WITH CHECK (current_setting('app.scope', true) = 'platform');

-- Data keys: platform scope only (tenants never see wrapped keys).
ALTER TABLE "audit_subject_keys" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "audit_subject_keys" FORCE ROW LEVEL SECURITY;
CREATE POLICY "audit_subject_keys_platform" ON "audit_subject_keys"
  USING (current_setting('app.scope', true) = 'platform')
  WITH CHECK (current_setting('app.scope', true) = 'platform');
