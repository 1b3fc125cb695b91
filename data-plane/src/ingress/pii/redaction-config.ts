import { z } from 'zod';
import { PII_TYPES, type PiiType } from './detectors';
import { REDACT_ALL, type RedactionPolicy } from './redact';

/**
 * Where each tenant's redaction policy comes from. Asked once per chat request, so an
 * implementation backed by storage should cache; the static one below answers from memory.
 */
export interface RedactionConfigSource {
  policyFor(tenantId: string): Promise<RedactionPolicy>;
}

const piiTypesSchema = z.array(z.enum(PII_TYPES)).max(PII_TYPES.length);

export const staticRedactionConfigSchema = z.object({
  /** Types redacted for tenants without an entry (default: every type). */
  defaultTypes: piiTypesSchema.optional(),
  /** Per-tenant override; an empty list turns redaction off for that tenant. */
  tenants: z.record(z.uuid(), piiTypesSchema).optional(),
});

export type StaticRedactionConfig = z.input<typeof staticRedactionConfigSchema>;

function policyOf(types: readonly PiiType[]): RedactionPolicy {
  return { types: new Set(types) };
}

/** In-memory configuration, validated once at construction (a typo in a type name fails fast). */
export function createStaticRedactionConfigSource(config: StaticRedactionConfig = {}): RedactionConfigSource {
  const parsed = staticRedactionConfigSchema.parse(config);
  const fallback = parsed.defaultTypes ? policyOf(parsed.defaultTypes) : REDACT_ALL;
  const byTenant = new Map(Object.entries(parsed.tenants ?? {}).map(([tenantId, types]) => [tenantId, policyOf(types)]));
  return {
    policyFor: (tenantId) => Promise.resolve(byTenant.get(tenantId) ?? fallback),
  };
}
