import { z } from 'zod';
import { MAX_WINDOW_DAYS, MIN_WINDOW_DAYS, type SloDraft } from '@switchyard/slo';

/** GraphQL's enum values to the domain's kinds. */
const KIND = { LATENCY: 'latency', AVAILABILITY: 'availability', QUALITY: 'quality', COST: 'cost' } as const;

const objective = z.number().gt(0.5, 'must be above 0.5').lt(1, 'must be below 1 (1 leaves no error budget)');

export const putSloInputSchema = z
  .object({
    tenantId: z.uuid('Must be a tenant id (UUID).'),
    route: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(256, 'must be at most 256 characters')
      .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (a route or model name)'),
    kind: z.enum(['LATENCY', 'AVAILABILITY', 'QUALITY', 'COST']),
    objective: objective.nullish(),
    percentile: z.number().gt(50, 'must be above 50').lt(100, 'must be below 100').nullish(),
    windowDays: z.number().int().min(MIN_WINDOW_DAYS).max(MAX_WINDOW_DAYS),
    thresholdMs: z.number().int().min(1).max(600_000).nullish(),
    maxRegret: z.number().min(0).max(1).nullish(),
    minSavingsPct: z.number().min(0).max(100).nullish(),
    expectedVersion: z.number().int().positive().nullish(),
  })
  .superRefine((input, ctx) => {
    const need = (field: 'thresholdMs' | 'maxRegret' | 'minSavingsPct' | 'objective' | 'percentile', why: string) => {
      if (input[field] === undefined || input[field] === null) ctx.addIssue({ code: 'custom', path: [field], message: why });
    };
    const forbid = (field: 'thresholdMs' | 'maxRegret' | 'minSavingsPct' | 'objective' | 'percentile', why: string) => {
      if (input[field] !== undefined && input[field] !== null) ctx.addIssue({ code: 'custom', path: [field], message: why });
    };
    if (input.kind === 'LATENCY') {
      need('thresholdMs', 'is required for a LATENCY SLO');
      need('percentile', 'is required for a LATENCY SLO (p95 within thresholdMs: percentile 95)');
      forbid('objective', 'is the percentile for a LATENCY SLO: give percentile instead');
    } else {
      need('objective', `is required for a ${input.kind} SLO`);
      forbid('percentile', 'applies to LATENCY SLOs only');
      forbid('thresholdMs', 'applies to LATENCY SLOs only');
    }
    if (input.kind === 'QUALITY') need('maxRegret', 'is required for a QUALITY SLO');
    else forbid('maxRegret', 'applies to QUALITY SLOs only');
    if (input.kind === 'COST') need('minSavingsPct', 'is required for a COST SLO');
    else forbid('minSavingsPct', 'applies to COST SLOs only');
  });

export type PutSloInput = z.input<typeof putSloInputSchema>;

/** The validated input as a definition to store (no id yet) and the version it is based on. */
export function toDefinition(input: z.output<typeof putSloInputSchema>): { definition: SloDraft; expectedVersion: number | undefined } {
  const base = { tenantId: input.tenantId, route: input.route, windowDays: input.windowDays };
  const expectedVersion = input.expectedVersion ?? undefined;
  const objectiveOf = () => input.objective ?? 0;
  switch (KIND[input.kind]) {
    case 'latency':
      // Rounded so that 99.9 stays 0.999 and not 0.9990000000000001.
      return { definition: { ...base, kind: 'latency', objective: Math.round((input.percentile ?? 0) * 1e4) / 1e6, thresholdMs: input.thresholdMs ?? 0 }, expectedVersion };
    case 'availability':
      return { definition: { ...base, kind: 'availability', objective: objectiveOf() }, expectedVersion };
    case 'quality':
      return { definition: { ...base, kind: 'quality', objective: objectiveOf(), maxRegret: input.maxRegret ?? 0 }, expectedVersion };
    case 'cost':
      return { definition: { ...base, kind: 'cost', objective: objectiveOf(), minSavingsPct: input.minSavingsPct ?? 0 }, expectedVersion };
  }
}
