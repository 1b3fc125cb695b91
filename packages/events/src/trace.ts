import { z } from 'zod';

/**
 * A W3C `traceparent` (version 00: `00-<trace id>-<parent id>-<flags>`) carried by an event, so
 * the consumer that handles it continues the request's trace. Optional on every event that has
 * it: a publisher without tracing leaves it out, and a malformed one is refused like any field.
 * An all-zero trace or parent id is invalid per the W3C spec.
 */
export const traceparentSchema = z
  .string()
  .regex(/^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/, 'must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)');
