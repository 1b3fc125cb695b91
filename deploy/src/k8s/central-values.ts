import { z } from 'zod';
import { boxSchema, dnsLabel, secretRef } from './values';

/**
 * The values of the central part (values/values-central.yaml): what runs once for every region, the
 * cost optimizer (fed by every region) and the audit witness (every region's checkpoints). A file of
 * its own, not merged over values.yaml: it runs beside the regions, in its own namespace, with its
 * own secrets (each region's database and Redis, the witness's own database).
 */
export const CENTRAL_BOXES = ['cost-optimizer', 'audit-witness'] as const;
export type CentralBox = (typeof CENTRAL_BOXES)[number];

export const centralValuesSchema = z.strictObject({
  /** The label value `switchyard.dev/region` of every central object. */
  region: z.literal('central'),
  namespace: dnsLabel,
  image: z.strictObject({
    repository: z.string().min(1),
    tag: z.string().regex(/^[\w][\w.-]{0,127}$/),
    pullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).default('IfNotPresent'),
  }),
  monitoringNamespace: dnsLabel,
  /** Where the regions' traffic to the witness arrives (their audit subgraphs post through it). */
  ingressNamespace: dnsLabel,
  shutdown: z.strictObject({ graceMs: z.number().int().min(0), timeoutMs: z.number().int().min(0) }),
  /** The regions (names as their SWITCHYARD_REGION says): the optimizer's and the witness's. */
  regions: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/),
        /** The region's audit checkpoint key(s), raw Ed25519 base64url (`audit public-key` in that region); public, so values. */
        auditPublicKeys: z.array(z.string().regex(/^[A-Za-z0-9_-]{43}$/)).min(1).max(4),
        auditLogId: z.string().min(1).default('switchyard-audit'),
      }),
    )
    .min(1)
    .refine((regions) => new Set(regions.map((region) => region.name)).size === regions.length, 'region names must be unique'),
  secrets: z.strictObject({
    /** OPTIMIZER_REGIONS: JSON of every region's database and Redis URLs (passwords inside: a Secret). */
    optimizerRegions: secretRef,
    /** The witness's own Postgres (not a region's: a separate trust domain). */
    witnessDatabaseUrl: secretRef,
    metricsToken: secretRef,
  }),
  optimizer: z.strictObject({ intervalMs: z.number().int().min(0).default(300_000) }).default({ intervalMs: 300_000 }),
  boxes: z.strictObject(Object.fromEntries(CENTRAL_BOXES.map((name) => [name, boxSchema])) as Record<CentralBox, typeof boxSchema>),
});

export type CentralValues = z.output<typeof centralValuesSchema>;

export function parseCentralValues(raw: unknown): CentralValues {
  const result = centralValuesSchema.safeParse(raw);
  if (!result.success) throw new Error(`Invalid central values:\n${result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  return result.data;
}
