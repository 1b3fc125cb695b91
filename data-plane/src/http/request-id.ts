import { randomUUID } from 'node:crypto';

/** Safe to echo in headers, logs and the completion id; anything else is ignored. */
const VALID_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/**
 * The client's `x-request-id`, when it is safe to echo: a correlation id for tracing and feedback,
 * chosen by the client, so never unique and never trusted to deduplicate anything.
 */
export function clientRequestIdFrom(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && VALID_REQUEST_ID.test(header) ? header : undefined;
}

/**
 * The data plane's own id for one request: random (122 bits), generated per request whatever the
 * client sent. It is the key that deduplicates billing (usage events) and audit entries downstream,
 * so a client reusing its `x-request-id`, or another tenant sending the same one, cannot make a
 * request free or unaudited.
 */
export function newRequestId(): string {
  return randomUUID();
}
