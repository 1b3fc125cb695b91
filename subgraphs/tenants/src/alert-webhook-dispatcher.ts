import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ALERT_EVENT_ID_HEADER, ALERT_SIGNATURE_HEADER, signAlert } from './alert-signature';
import { ALERTS_STREAM, alertEventSchema, type AlertEvent } from '@switchyard/events/alerts';
import { startStreamConsumer, type Bus, type StreamConsumer, type StreamEntry } from '@switchyard/bus';
import type { Logger } from './logger';

/** One group: each alert goes to exactly one dispatcher replica. */
export const ALERT_WEBHOOKS_GROUP = 'alert-webhooks';

/** What delivery needs from the secret vault: the tenant's webhook URL and signing secret, decrypted. */
export interface AlertWebhookSource {
  revealAlertWebhook(tenantId: string): Promise<{ url: string; secret: string } | null>;
}

/** Sends one signed request; resolves with the HTTP status (throws on a network failure or timeout). */
export type WebhookPost = (url: string, headers: Record<string, string>, body: string, timeoutMs: number) => Promise<number>;

export interface AlertWebhookDispatcherDeps {
  bus: Bus;
  webhooks: AlertWebhookSource;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  consumerName?: string;
  /** Tries per alert (default 3), waiting `retryDelaysMs` between them (default 1 s, 5 s). */
  attempts?: number;
  retryDelaysMs?: readonly number[];
  /** Per request (default 5 s). */
  timeoutMs?: number;
  post?: WebhookPost;
  now?: () => Date;
  blockMs?: number;
  claimIdleMs?: number;
}

/**
 * Redirects are not followed: the URL was validated when the tenant admin saved it (https, or
 * http to loopback), and a redirect could point the gateway's request anywhere else.
 */
export const fetchPost: WebhookPost = async (url, headers, body, timeoutMs) => {
  const response = await fetch(url, { method: 'POST', headers, body, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  return response.status;
};

export interface AlertDeliveryOptions {
  attempts: number;
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  post: WebhookPost;
  now: () => Date;
  logger: Pick<Logger, 'warn'>;
}

/** The outcome of the last try: `HTTP <status>`, or the network error (refused, timeout, …). */
export interface AlertDeliveryResult {
  delivered: boolean;
  outcome: string;
}

/** POSTs one alert, signed for this try's timestamp; retries a non-2xx or a network failure. */
export async function deliverAlert(alert: AlertEvent, webhook: { url: string; secret: string }, options: AlertDeliveryOptions): Promise<AlertDeliveryResult> {
  const body = JSON.stringify(alert);
  let outcome = 'not tried';
  for (let attempt = 1; attempt <= options.attempts; attempt += 1) {
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Switchyard-Alerts/1',
      [ALERT_EVENT_ID_HEADER]: alert.id,
      [ALERT_SIGNATURE_HEADER]: signAlert(webhook.secret, body, Math.floor(options.now().getTime() / 1000)),
    };
    try {
      const status = await options.post(webhook.url, headers, body, options.timeoutMs);
      outcome = `HTTP ${status}`;
      if (status >= 200 && status < 300) return { delivered: true, outcome };
    } catch (error) {
      outcome = error instanceof Error ? (error.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : causeOf(error)) : String(error);
    }
    options.logger.warn({ alertId: alert.id, tenantId: alert.tenantId, attempt, outcome }, 'alert webhook delivery failed');
    if (attempt < options.attempts) await sleep(options.retryDelaysMs[Math.min(attempt - 1, options.retryDelaysMs.length - 1)] ?? 0);
  }
  return { delivered: false, outcome };
}

/** fetch reports "fetch failed" and keeps the socket error (ECONNREFUSED, ENOTFOUND, …) as its cause. */
function causeOf(error: Error): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (typeof cause?.code === 'string') return cause.code;
  return typeof cause?.message === 'string' ? cause.message : error.message;
}

/**
 * Delivers the alerts stream to each tenant's webhook: a JSON POST signed with the tenant's
 * secret (`x-switchyard-signature: t=…,v1=HMAC-SHA256(secret, "t.body")`) and carrying the
 * alert id (`x-switchyard-event-id`) for deduplication. At least once: an alert is acked after
 * a 2xx or after its last try (logged with its id), so a webhook that is down for good does not
 * hold the stream; a dispatcher that dies mid-delivery leaves the alert to be claimed again.
 * A tenant without a webhook is skipped.
 */
export function startAlertWebhookDispatcher(deps: AlertWebhookDispatcherDeps): StreamConsumer {
  const attempts = deps.attempts ?? 3;
  const retryDelaysMs = deps.retryDelaysMs ?? [1_000, 5_000];
  const timeoutMs = deps.timeoutMs ?? 5_000;
  const post = deps.post ?? fetchPost;
  const now = deps.now ?? (() => new Date());
  const { bus, logger } = deps;

  const delivery = { attempts, retryDelaysMs, timeoutMs, post, now, logger };

  async function handle(entries: readonly StreamEntry[]): Promise<void> {
    for (const entry of entries) {
      const parsed = alertEventSchema.safeParse(safeJson(entry.payload));
      if (!parsed.success) {
        // Can never succeed: acked so it is not retried forever.
        logger.warn({ entryId: entry.id, reason: parsed.error.issues[0]?.message }, 'dropping invalid alert');
        await bus.ack(ALERTS_STREAM, ALERT_WEBHOOKS_GROUP, [entry.id]);
        continue;
      }
      const alert = parsed.data;
      // A vault failure (database down) throws: the entry stays pending and the round is retried.
      const webhook = await deps.webhooks.revealAlertWebhook(alert.tenantId);
      if (webhook) {
        const result = await deliverAlert(alert, webhook, delivery);
        if (result.delivered) logger.info({ alertId: alert.id, tenantId: alert.tenantId, type: alert.type }, 'alert delivered to the tenant webhook');
        else logger.error({ alertId: alert.id, tenantId: alert.tenantId, type: alert.type, attempts, outcome: result.outcome }, 'alert webhook gave up; the alert is not retried');
      }
      await bus.ack(ALERTS_STREAM, ALERT_WEBHOOKS_GROUP, [entry.id]);
    }
  }

  return startStreamConsumer({
    bus,
    stream: ALERTS_STREAM,
    group: ALERT_WEBHOOKS_GROUP,
    consumer: deps.consumerName ?? `alert-webhooks-${hostname()}-${process.pid}`,
    logger,
    // One alert per round: its worst case (3 tries × 5 s + 6 s of waits) stays well inside
    // claimIdleMs, so another replica never takes over an alert still being delivered.
    batchSize: 1,
    blockMs: deps.blockMs,
    claimIdleMs: deps.claimIdleMs ?? 60_000,
    handle,
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
