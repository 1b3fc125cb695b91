import { randomUUID } from 'node:crypto';

/** Safe to echo in headers, logs and the completion id; anything else is replaced. */
const VALID_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && VALID_REQUEST_ID.test(header)) return header;
  return randomUUID();
}
