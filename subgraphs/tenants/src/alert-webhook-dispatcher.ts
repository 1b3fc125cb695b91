import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ALERT_EVENT_ID_HEADER, ALERT_SIGNATURE_HEADER, signAlert } from './alert-signature';
import { ALERTS_STREAM, alertEventSchema, type AlertEvent } from '@switchyard/events/alerts';
import { startStreamConsumer, type Bus, type StreamConsumer, type StreamEntry } from '@switchyard/bus';
import type { Logger } from './logger';
import { createWebhookAddressPolicy, type WebhookAddressPolicy } from './webhook-address-policy';
import { createGuardedWebhookPost, describeWebhookFailure, type WebhookPost } from './webhook-transport';

export type { WebhookPost } from './webhook-transport';

/** One group: each alert goes to exactly one dispatcher replica. */
export const ALERT_WEBHOOKS_GROUP = 'alert-webhooks';

/** What delivery needs from the secret vault: the tenant's webhook URL and signing secret, decrypted. */
export interface AlertWebhookSource {
  revealAlertWebhook(tenantId: string): Promise<{ url: string; secret: string } | null>;
}

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
  /** Which addresses webhooks may reach (default: public addresses only); used when `post` is not given. */
  addressPolicy?: WebhookAddressPolicy;
  /** How a try is sent (default: the guarded undici transport under `addressPolicy`). */
  post?: WebhookPost;
  now?: () => Date;
  blockMs?: number;
  claimIdleMs?: number;
}

export interface AlertDeliveryOptions {
  attempts: number;
  retryDelaysMs: readonly number[];
  timeoutMs: number;
  post: WebhookPost;
  now: () => Date;
  logger: Pick<Logger, 'warn'>;
}

/**
 * The outcome of the last try as the tenant may see it: `HTTP <status>`, `no answer within … ms`,
 * the policy refusal, or `the webhook could not be reached` (the network detail — errno, TLS
 * names — goes only to the operator log: it would let a tenant map hosts and ports).
 */
export interface AlertDeliveryResult {
  delivered: boolean;
  outcome: string;
  /** The address policy refused the webhook's address before any connection was opened. */
  refusedByPolicy: boolean;
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
    let detail: string | undefined;
    try {
      const status = await options.post(webhook.url, headers, body, options.timeoutMs);
      outcome = `HTTP ${status}`;
      if (status >= 200 && status < 300) return { delivered: true, outcome, refusedByPolicy: false };
    } catch (error) {
      const failure = describeWebhookFailure(error, options.timeoutMs);
      outcome = failure.outcome;
      detail = failure.detail;
      if (failure.refusedByPolicy) {
        // Retrying cannot help until the tenant changes the URL (or its DNS).
        options.logger.warn({ alertId: alert.id, tenantId: alert.tenantId, attempt, outcome, detail }, 'alert webhook refused by the address policy');
        return { delivered: false, outcome, refusedByPolicy: true };
      }
    }
    options.logger.warn({ alertId: alert.id, tenantId: alert.tenantId, attempt, outcome, ...(detail ? { detail } : {}) }, 'alert webhook delivery failed');
    if (attempt < options.attempts) await sleep(options.retryDelaysMs[Math.min(attempt - 1, options.retryDelaysMs.length - 1)] ?? 0);
  }
  return { delivered: false, outcome, refusedByPolicy: false };
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
  const guarded = deps.post ? null : createGuardedWebhookPost({ policy: deps.addressPolicy ?? createWebhookAddressPolicy() });
  const post = deps.post ?? guarded!;
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

  const consumer = startStreamConsumer({
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
  return {
    ...consumer,
    async stop() {
      await consumer.stop();
      await guarded?.close();
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
