import type { Database, ModelPriceEntry } from './database';

/** Price book version 1, micro-USD per 1,000 tokens. */
export const priceBookV1: readonly ModelPriceEntry[] = [
  { model: 'mock-gpt', inputPer1kMicros: 500n, outputPer1kMicros: 1500n },
  { model: 'mock-large', inputPer1kMicros: 3000n, outputPer1kMicros: 15000n },
  { model: 'mock-mini', inputPer1kMicros: 150n, outputPer1kMicros: 600n },
  // The mock judge (an experiment's automatic judge): priced, so its calls are billed like any model's.
  { model: 'mock-judge', inputPer1kMicros: 100n, outputPer1kMicros: 100n },
  // The mock embedding model, priced like OpenAI's text-embedding-3-small ($0.02 per million tokens); embeddings have no output.
  { model: 'mock-embed-1', inputPer1kMicros: 20n, outputPer1kMicros: 0n },
];

export const demoTenant = { slug: 'demo', name: 'Demo' } as const;

/**
 * Idempotent bootstrap data: price book version 1 and the `demo` tenant. Runs through the
 * platform scope, so it needs nothing beyond what the services themselves may do.
 */
export async function seed(db: Database): Promise<{ demoTenantId: string }> {
  return db.withPlatform(async (tx) => {
    await tx.priceBookVersion.upsert({ where: { version: 1 }, create: { version: 1 }, update: {} });
    await tx.modelPrice.createMany({
      data: priceBookV1.map((price) => ({ version: 1, ...price })),
      skipDuplicates: true,
    });
    const tenant = await tx.tenant.upsert({
      where: { slug: demoTenant.slug },
      create: { slug: demoTenant.slug, name: demoTenant.name },
      update: {},
      select: { id: true },
    });
    return { demoTenantId: tenant.id };
  });
}
