import { z } from 'zod';
import { PrivacyAccountingError, toMicroUnitsCeil } from '@switchyard/ledger';
import { dpError } from './errors';
import { parseInput } from './parse-input';

/** Validation of everything a caller sends, before it touches state. */

/** Largest amount or cap accepted: 10⁹ ε or ρ (far beyond any meaningful privacy budget, far below BIGINT). */
export const MAX_MICROS = 1_000_000_000n * 1_000_000n;
export const DEFAULT_TTL_SECONDS = 300;
export const MAX_TTL_SECONDS = 86_400;

export const uuidSchema = z.string().uuid('Must be an id (UUID).');
export const idempotencyKeySchema = z
  .string()
  .min(1, 'An idempotency key is required.')
  .max(200, 'Idempotency keys are at most 200 characters.')
  .regex(/^[\x21-\x7e]+$/, 'Idempotency keys are printable ASCII without spaces.');

const thresholdsSchema = z
  .array(z.number().int().min(1, 'Thresholds are percentages 1..100.').max(100, 'Thresholds are percentages 1..100.'))
  .max(10, 'At most 10 alert thresholds.')
  .refine((list) => new Set(list).size === list.length, 'Thresholds must be distinct.');

export const createBudgetSchema = z
  .object({
    tenantId: uuidSchema,
    dataset: z.string().trim().min(1, 'A dataset name is required.').max(200, 'Dataset names are at most 200 characters.').regex(/^[^\p{Cc}]+$/u, 'Dataset names cannot contain control characters.'),
    mode: z.enum(['PURE_EPSILON', 'ZCDP']),
    cap: z.string(),
    delta: z.number().gt(0, 'δ must be greater than 0.').lt(1, 'δ must be less than 1.').nullish(),
    alertThresholds: thresholdsSchema.nullish(),
  })
  .refine((input) => input.mode !== 'ZCDP' || typeof input.delta === 'number', { message: 'A zCDP budget needs δ (0 < δ < 1) to be shown as (ε, δ).', path: ['delta'] })
  .refine((input) => input.mode !== 'PURE_EPSILON' || input.delta === null || input.delta === undefined, { message: 'A pure-ε budget has no δ.', path: ['delta'] });

/** An edit changes the cap and/or the alert thresholds; mode, δ and dataset are fixed at creation (charges were accounted under them). */
export const updateBudgetSchema = z
  .object({
    id: uuidSchema,
    cap: z.string().nullish(),
    alertThresholds: thresholdsSchema.nullish(),
  })
  .refine((input) => (input.cap ?? null) !== null || (input.alertThresholds ?? null) !== null, { message: 'Change the cap, the alert thresholds or both.', path: ['cap'] });

export const reserveSchema = z.object({
  budgetId: uuidSchema,
  idempotencyKey: idempotencyKeySchema,
  amount: z.string(),
  ttlSeconds: z.number().int().min(1, 'ttlSeconds must be at least 1.').max(MAX_TTL_SECONDS, `ttlSeconds is at most ${MAX_TTL_SECONDS}.`).nullish(),
});

export const noisyReleaseSchema = z.object({
  budgetId: uuidSchema,
  idempotencyKey: idempotencyKeySchema,
  value: z.string().regex(/^-?\d{1,40}$/, 'The aggregate must be an integer (at most 40 digits) as a string.'),
  sensitivity: z.string().regex(/^\d{1,12}$/, 'Sensitivity must be a positive integer (at most 12 digits) as a string.'),
  mechanism: z.enum(['DISCRETE_LAPLACE', 'DISCRETE_GAUSSIAN']),
  privacyParameter: z.string(),
});

export { parseInput };

/** A positive decimal amount of ε or ρ as micro-units (rounded up), or DP_INVALID_AMOUNT. */
export function parseAmount(text: string, field: string): bigint {
  if (text.length > 40) throw dpError('DP_INVALID_AMOUNT', `${field} is too long: give a decimal like "0.5".`, { field });
  let micros: bigint;
  try {
    micros = toMicroUnitsCeil(text);
  } catch (error) {
    if (error instanceof PrivacyAccountingError) throw dpError('DP_INVALID_AMOUNT', `${field}: ${error.message}.`, { field });
    throw error;
  }
  if (micros <= 0n) throw dpError('DP_INVALID_AMOUNT', `${field} must be greater than 0.`, { field });
  if (micros > MAX_MICROS) throw dpError('DP_INVALID_AMOUNT', `${field} is at most ${MAX_MICROS / 1_000_000n}.`, { field });
  return micros;
}
