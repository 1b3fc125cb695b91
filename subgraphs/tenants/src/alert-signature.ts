import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How the alert webhook dispatcher signs each delivery, and how a receiver checks it. The
 * alert itself is `AlertEvent` of `@switchyard/events/alerts`; this is the webhook's envelope.
 */
export const ALERT_SIGNATURE_HEADER = 'x-switchyard-signature';
export const ALERT_EVENT_ID_HEADER = 'x-switchyard-event-id';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`: the timestamp is signed with the
 * body, so a receiver can refuse replays older than its tolerance (as Stripe's scheme does).
 */
export function signAlert(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/** For receivers (and tests): true when `header` signs `body` with `secret` within `toleranceSeconds` of `nowSeconds`. */
export function verifyAlertSignature(secret: string, body: string, header: string, nowSeconds: number, toleranceSeconds = 300): boolean {
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const given = parts.get('v1');
  if (!Number.isInteger(timestamp) || !given || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signAlert(secret, body, timestamp).split('v1=')[1] as string, 'hex');
  const actual = Buffer.from(given, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
