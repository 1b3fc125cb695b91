-- CreateTable
CREATE TABLE "vector_memories" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "collection" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "embedding_model" TEXT NOT NULL,
    "dimensions" INTEGER NOT NULL,
    "embedding" REAL[],
    "subject" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "vector_memories_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "vector_memories_tenant_id_collection_id_idx" ON "vector_memories"("tenant_id", "collection", "id");

-- CreateIndex
CREATE INDEX "vector_memories_tenant_id_subject_idx" ON "vector_memories"("tenant_id", "subject");

-- AddForeignKey
ALTER TABLE "vector_memories" ADD CONSTRAINT "vector_memories_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- ---------------------------------------------------------------------------
-- Hand-written below this line: what Prisma cannot model (checks, grants, RLS).
-- ---------------------------------------------------------------------------

ALTER TABLE "vector_memories" ADD CONSTRAINT "vector_memories_collection_name" CHECK ("collection" ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$');
ALTER TABLE "vector_memories" ADD CONSTRAINT "vector_memories_text_length" CHECK (char_length("text") BETWEEN 1 AND 8192);
ALTER TABLE "vector_memories" ADD CONSTRAINT "vector_memories_dimensions_range" CHECK ("dimensions" BETWEEN 1 AND 4096);
-- Prisma models a list as nullable-free only by convention: the row always has its embedding, of its stated size.
ALTER TABLE "vector_memories" ADD CONSTRAINT "vector_memories_embedding_size" CHECK ("embedding" IS NOT NULL AND cardinality("embedding") = "dimensions");
ALTER TABLE "vector_memories" ADD CONSTRAINT "vector_memories_subject_length" CHECK ("subject" IS NULL OR char_length("subject") BETWEEN 1 AND 256);

-- Memories are added and deleted, never rewritten.
GRANT SELECT, INSERT, DELETE ON "vector_memories" TO switchyard_app;

-- A tenant reads and writes its own memories; the platform scope (DSR export across a subject's
-- data) reads every tenant's.
ALTER TABLE "vector_memories" ENABLE ROW LEVEL SECURITY;
ALTER TABLE "vector_memories" FORCE ROW LEVEL SECURITY;
CREATE POLICY "vector_memories_tenant_isolation" ON "vector_memories"
  USING ("tenant_id"::text = current_setting('app.tenant_id', true))
  WITH CHECK ("tenant_id"::text = current_setting('app.tenant_id', true));
CREATE POLICY "vector_memories_platform_read" ON "vector_memories" FOR SELECT TO switchyard_platform USING (true);
