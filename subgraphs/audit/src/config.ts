import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { redisEnvShape } from '@switchyard/data-plane/config';
import { parseEnvironment, subgraphIntrospectionEnv, subgraphProcessEnv } from '@switchyard/subgraph-kit/config';
import { z } from 'zod';
import { tracingEnvShape } from '@switchyard/tracing';
import type { AuditSubgraphOptions } from './start-audit-subgraph';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** `VAR=` (empty) means unset. */
const optional = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** The ledger's settings, read by the standalone audit subgraph and by `npm start` alike. */
export const auditLedgerEnvShape = {
  /** The ledger's keys as JSON (see audit-keys.ts); default: `<data dir>/audit-keys.json`. */
  AUDIT_KEYS: optional(z.string()),
  /** A witness file to append every checkpoint to; default: `<data dir>/audit-witness.jsonl`. */
  AUDIT_WITNESS_FILE: optional(z.string()),
  /** POST every checkpoint to this witness endpoint as well; `audit verify` reads it back with GET. */
  AUDIT_WITNESS_URL: optional(z.string().url()),
  AUDIT_CHECKPOINT_EVERY: z.coerce.number().int().positive().default(1000),
  AUDIT_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().nonnegative().default(60_000),
};

type AuditLedgerEnv = z.output<z.ZodObject<typeof auditLedgerEnvShape>> & { SWITCHYARD_DATA_DIR: string };

/** The ledger part of the audit subgraph's options from a parsed environment. */
export function auditLedgerOptionsFromEnv(e: AuditLedgerEnv): Pick<AuditSubgraphOptions, 'dataDir' | 'keysJson' | 'witnessFile' | 'witnessUrl' | 'checkpointEvery' | 'checkpointIntervalMs'> {
  return {
    dataDir: e.SWITCHYARD_DATA_DIR,
    keysJson: e.AUDIT_KEYS,
    witnessFile: e.AUDIT_WITNESS_FILE,
    witnessUrl: e.AUDIT_WITNESS_URL,
    checkpointEvery: e.AUDIT_CHECKPOINT_EVERY,
    checkpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_MS,
  };
}

const ledgerEnv = {
  DATABASE_URL: optional(z.string().url('DATABASE_URL must be a postgres:// URL')),
  DATABASE_TENANT_URL: optional(z.string().url('DATABASE_TENANT_URL must be a postgres:// URL')),
  SWITCHYARD_DATA_DIR: z.string().default(path.join(REPO_ROOT, '.data')),
  ...auditLedgerEnvShape,
};

const cliEnvSchema = z.object({ ...ledgerEnv, ...redisEnvShape });
export type AuditCliConfig = z.output<typeof cliEnvSchema>;

const subgraphEnvSchema = z.object({
  ...ledgerEnv,
  DATABASE_URL: subgraphProcessEnv.DATABASE_URL,
  AUDIT_SUBGRAPH_PORT: z.coerce.number().int().min(0).max(65535).default(4105),
  AUDIT_SUBGRAPH_HOST: z.string().min(1).default('127.0.0.1'),
  ...redisEnvShape,
  INTERNAL_TOKEN_PUBLIC_JWK: subgraphProcessEnv.INTERNAL_TOKEN_PUBLIC_JWK,
  /** Set to false to serve reads only (no stream consumers). */
  AUDIT_CONSUMER: z.enum(['true', 'false']).default('true').transform((value) => value === 'true'),
  ...subgraphIntrospectionEnv,
  ...tracingEnvShape,
});
export type AuditSubgraphConfig = z.output<typeof subgraphEnvSchema>;

export function loadCliConfig(env: NodeJS.ProcessEnv = process.env): AuditCliConfig {
  return parseEnvironment(cliEnvSchema, env, 'the audit CLI');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AuditSubgraphConfig {
  return parseEnvironment(subgraphEnvSchema, env, 'the audit subgraph');
}
