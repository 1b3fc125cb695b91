import { z } from 'zod';

/**
 * Input rules, checked before anything touches state. The GraphQL resolvers and the operator
 * CLI both go through the service, so this is the edge for both.
 */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$/;
export const SCOPE_PATTERN = /^[a-z][a-z0-9_.:-]{0,63}$/;
/** What a key may do when the caller names no scopes: call the inference endpoints. */
export const DEFAULT_API_KEY_SCOPES: readonly string[] = ['inference'];

export const slugSchema = z
  .string()
  .regex(SLUG_PATTERN, 'Use 2-40 lower-case letters, digits and dashes, starting and ending with a letter or digit.');

export const idSchema = z.string().uuid('Must be a UUID.');

const displayNameSchema = z.string().trim().min(1, 'Must not be empty.').max(100, 'Use at most 100 characters.');

export const createTenantInputSchema = z.object({
  slug: slugSchema,
  name: displayNameSchema,
});
export type CreateTenantInput = z.infer<typeof createTenantInputSchema>;

export const createApiKeyInputSchema = z
  .object({
    tenantId: idSchema.optional(),
    tenantSlug: slugSchema.optional(),
    name: displayNameSchema,
    scopes: z
      .array(z.string().regex(SCOPE_PATTERN, 'Scopes are lower-case words such as "inference".'))
      .max(32, 'Use at most 32 scopes.')
      .nullish(),
    expiresAt: z.date().nullish(),
  })
  .refine((input) => (input.tenantId === undefined) !== (input.tenantSlug === undefined), {
    message: 'Name the tenant by exactly one of tenantId or tenantSlug.',
    path: ['tenantId'],
  });
export type CreateApiKeyInput = z.input<typeof createApiKeyInputSchema>;
