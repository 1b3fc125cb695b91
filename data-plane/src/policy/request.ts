import { z } from 'zod';

/** An attribute value: string, long (safe integer), boolean, or a set of those. */
export type AttributeScalar = string | number | boolean;
export type AttributeValue = AttributeScalar | readonly AttributeScalar[];
export type Attributes = Readonly<Record<string, AttributeValue | undefined>>;

export interface PolicyPrincipal extends Attributes {
  readonly id: string;
  readonly tenant: string;
  readonly roles: readonly string[];
}

export interface PolicyResource extends Attributes {
  /** Entity type, e.g. `Model`, `Tool`, `Provider`, `Region`, `Route`; matched by `resource is Model`. */
  readonly type: string;
  readonly id: string;
}

/** Well-known context attributes; any other attribute may be added. */
export interface PolicyContext extends Attributes {
  readonly region?: string;
  readonly hour?: number;
  readonly tool_scope?: readonly string[];
  readonly data_classification?: string;
}

export interface PolicyRequest {
  readonly principal: PolicyPrincipal;
  /** The action's id, e.g. `use_model` for `Action::"use_model"`. */
  readonly action: string;
  readonly resource: PolicyResource;
  readonly context: PolicyContext;
}

const MAX_ATTRIBUTES = 64;
const MAX_SET_SIZE = 256;
const MAX_STRING = 1024;

const scalarSchema = z.union([z.string().max(MAX_STRING), z.number().int().refine(Number.isSafeInteger, 'must be a safe integer'), z.boolean()]);
const valueSchema = z.union([scalarSchema, z.array(scalarSchema).max(MAX_SET_SIZE)]);
const attributesSchema = z
  .record(z.string().min(1).max(128), valueSchema)
  .refine((attributes) => Object.keys(attributes).length <= MAX_ATTRIBUTES, `at most ${MAX_ATTRIBUTES} attributes`);

/**
 * Validates a request that crossed a trust boundary (HTTP, GraphQL, the bus) before `decide`,
 * which trusts its input's shape to stay fast. Bounds keep one request's decision cost bounded.
 */
export const policyRequestSchema = z.object({
  principal: attributesSchema.and(z.object({ id: z.string().min(1).max(MAX_STRING), tenant: z.string().min(1).max(MAX_STRING), roles: z.array(z.string().max(MAX_STRING)).max(MAX_SET_SIZE) })),
  action: z.string().min(1).max(128),
  resource: attributesSchema.and(z.object({ type: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an identifier like `Model`'), id: z.string().min(1).max(MAX_STRING) })),
  context: attributesSchema,
}) satisfies z.ZodType<PolicyRequest>;
