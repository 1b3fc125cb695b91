import { z } from 'zod';
import { traceparentSchema } from './trace';

/** Durable stream of audit events (consumer group `audit-writer` appends them to the ledger). */
export const AUDIT_STREAM = 'switchyard:audit';
/** Pub/sub: key-only hint after entries of a tenant were appended. Message: JSON `{ tenantId }`. */
export const AUDIT_APPENDED_CHANNEL = 'switchyard:audit.appended';

export const DATA_CLASSIFICATIONS = ['public', 'internal', 'confidential', 'restricted'] as const;
export type DataClassification = (typeof DATA_CLASSIFICATIONS)[number];

/** Largest accepted payload (JSON text); audit entries describe events, they do not carry documents. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

// TextEncoder rather than Buffer: the schema is also read where there is no Buffer (browsers).
const utf8 = new TextEncoder();
const payloadSchema = z
  .record(z.string(), z.unknown())
  .refine((payload) => utf8.encode(JSON.stringify(payload)).length <= MAX_PAYLOAD_BYTES, `payload must be at most ${MAX_PAYLOAD_BYTES} bytes of JSON`);

/** One security-relevant event, as producers publish it on AUDIT_STREAM or pass to `append`. */
export const auditEventSchema = z.object({
  /** Makes the append idempotent (an inference request's request id, a mutation's id…). */
  idempotencyKey: z.string().min(1).max(200),
  /** Null for platform events. */
  tenantId: z.uuid().nullable(),
  /** Who did it: `user:<sub>`, `api-key:<id>`, `service:<name>` (auditActor in @switchyard/subgraph-kit/audit-actor). */
  actor: z.string().min(1).max(200),
  /** What happened, dotted: `tenant.create`, `api_key.revoke`, `inference.request`, `policy.deny`. */
  action: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'action must be dotted lower-case words such as api_key.revoke'),
  /** The data subject's id (raw); the ledger stores only its keyed HMAC. */
  subjectId: z.string().min(1).max(200).nullable().default(null),
  dataClassification: z.enum(DATA_CLASSIFICATIONS).default('internal'),
  payload: payloadSchema.default({}),
  /** ISO-8601; defaults to the time of the append. */
  occurredAt: z.iso.datetime({ offset: true }).optional(),
  /** The trace of the request or operation that caused the event (W3C), when its producer traces; not part of the ledger entry. */
  traceparent: traceparentSchema.optional(),
});

export type AuditEvent = z.output<typeof auditEventSchema>;
export type AuditEventInput = z.input<typeof auditEventSchema>;
