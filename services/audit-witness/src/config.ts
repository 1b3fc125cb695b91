import { createPublicKey, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { tracingEnvShape } from '@switchyard/tracing';
import { z } from 'zod';
import type { WitnessRegion } from './judge-checkpoint';

const emptyIsUnset = (value: unknown) => (value === '' ? undefined : value);

/** A region's checkpoint key as `audit keys` prints it: the raw 32-byte Ed25519 key, base64url (JWK `x`). */
const ed25519Key = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'a raw Ed25519 public key, base64url (43 characters): the checkpointKey.publicKey of the region’s audit ledger')
  .transform((x): KeyObject => createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' }));

const regionSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'a short token like region-a'),
  /** The log id the region's ledger signs (default switchyard-audit). */
  logId: z.string().min(1).default('switchyard-audit'),
  /** The keys the region may sign with: one, or two while its key is rotated. */
  publicKeys: z.array(ed25519Key).min(1).max(4),
});

const regionsSchema = z.preprocess(
  (value) => {
    if (typeof value !== 'string') return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  },
  z
    .array(regionSchema)
    .min(1, 'at least one region')
    .refine((regions) => new Set(regions.map((region) => region.name)).size === regions.length, 'region names must be unique'),
);

const envSchema = z.object({
  /** JSON: `[{ "name": "region-a", "publicKeys": ["<base64url>"], "logId"?: "switchyard-audit" }, …]`. */
  WITNESS_REGIONS: regionsSchema,
  /** The witness's own Postgres database; unset: PGlite in WITNESS_DATA_DIR (the embedded default). */
  DATABASE_URL: z.preprocess(emptyIsUnset, z.string().url('DATABASE_URL must be a postgres:// URL').optional()),
  /** The embedded store's directory; default `<SWITCHYARD_DATA_DIR>/audit-witness` (the image's /data volume). */
  WITNESS_DATA_DIR: z.preprocess(emptyIsUnset, z.string().optional()),
  SWITCHYARD_DATA_DIR: z.preprocess(emptyIsUnset, z.string().default('.data')),
  WITNESS_PORT: z.coerce.number().int().min(0).max(65535).default(4610),
  WITNESS_HOST: z.string().min(1).default('127.0.0.1'),
  ...tracingEnvShape,
});

export type WitnessEnv = z.output<typeof envSchema>;

export function loadWitnessEnv(env: NodeJS.ProcessEnv = process.env): WitnessEnv & { WITNESS_DATA_DIR: string; regions: WitnessRegion[] } {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    throw new Error(`Invalid environment for the audit witness:\n${result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`);
  }
  const e = result.data;
  return {
    ...e,
    WITNESS_DATA_DIR: e.WITNESS_DATA_DIR ?? path.join(e.SWITCHYARD_DATA_DIR, 'audit-witness'),
    regions: e.WITNESS_REGIONS.map((region) => ({ name: region.name, logId: region.logId, publicKeys: region.publicKeys })),
  };
}
