import { describe, expect, it } from 'vitest';
import { putSloInputSchema, toDefinition } from './slo-input';

const tenantId = '0b7c9a52-3f5e-4d8e-9c0a-1f2e3d4c5b6a';
const parse = (input: Record<string, unknown>) => putSloInputSchema.safeParse({ tenantId, route: 'auto', windowDays: 30, ...input });

describe('putSloInputSchema and toDefinition', () => {
  it('stores a latency percentile as the objective and keeps 99.9 exact', () => {
    const parsed = parse({ kind: 'LATENCY', percentile: 99.9, thresholdMs: 800 });
    if (!parsed.success) throw parsed.error;
    expect(toDefinition(parsed.data)).toEqual({ definition: { tenantId, route: 'auto', windowDays: 30, kind: 'latency', objective: 0.999, thresholdMs: 800 }, expectedVersion: undefined });
  });

  it('takes each class with its own threshold and nothing else', () => {
    const ok = (input: Record<string, unknown>) => expect(parse(input).success).toBe(true);
    const bad = (input: Record<string, unknown>, path: string) => {
      const parsed = parse(input);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((issue) => issue.path.join('.'))).toContain(path);
    };
    ok({ kind: 'AVAILABILITY', objective: 0.99 });
    ok({ kind: 'QUALITY', objective: 0.9, maxRegret: 0.05 });
    ok({ kind: 'COST', objective: 0.8, minSavingsPct: 20, expectedVersion: 3 });
    bad({ kind: 'AVAILABILITY', objective: 0.99, thresholdMs: 5 }, 'thresholdMs');
    bad({ kind: 'AVAILABILITY' }, 'objective');
    bad({ kind: 'QUALITY', objective: 0.9 }, 'maxRegret');
    bad({ kind: 'COST', objective: 0.9, maxRegret: 0.1, minSavingsPct: 1 }, 'maxRegret');
    bad({ kind: 'LATENCY', percentile: 100, thresholdMs: 5 }, 'percentile');
    bad({ kind: 'AVAILABILITY', objective: 0.5 }, 'objective');
    bad({ kind: 'AVAILABILITY', objective: 0.99, route: '' }, 'route');
    bad({ kind: 'AVAILABILITY', objective: 0.99, expectedVersion: 0 }, 'expectedVersion');
  });
});
