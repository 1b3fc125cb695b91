import { z } from 'zod';

/** Mirrors the API's rule so most mistakes are caught before a round trip; the API stays authoritative. */
export const tenantInputSchema = z.object({
  slug: z
    .string()
    .trim()
    .min(2, 'Slug must be at least 2 characters.')
    .max(40, 'Slug must be at most 40 characters.')
    .regex(/^[a-z0-9-]+$/, 'Slug may contain only lower-case letters, digits and dashes.'),
  name: z.string().trim().min(1, 'Name is required.').max(200, 'Name must be at most 200 characters.'),
});
export type TenantInput = z.infer<typeof tenantInputSchema>;

export const apiKeyNameSchema = z
  .string()
  .trim()
  .min(1, 'Key name is required.')
  .max(100, 'Key name must be at most 100 characters.');

/** The first problem with the input, as a sentence for the form, or the parsed input. */
export function firstProblem<T>(result: z.ZodSafeParseResult<T>): { ok: true; value: T } | { ok: false; message: string } {
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, message: result.error.issues[0]?.message ?? 'The input is not valid.' };
}
