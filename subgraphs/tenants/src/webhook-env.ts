import { z } from 'zod';
import { parseAllowedNetwork } from './webhook-address-policy';

/**
 * `ALERT_WEBHOOK_ALLOWED_CIDRS`: comma-separated CIDR ranges or single addresses that alert
 * webhooks may reach although they are not public (e.g. `127.0.0.1/32` for a receiver on
 * loopback in tests, `10.20.0.0/16` for an internal alert router). Default: none, so webhooks
 * reach public addresses only. Read by the standalone tenants subgraph and by the platform.
 */
export const alertWebhookEnvShape = {
  ALERT_WEBHOOK_ALLOWED_CIDRS: z
    .string()
    .default('')
    .transform((text, ctx) => {
      const entries = text.split(',').map((entry) => entry.trim()).filter(Boolean);
      for (const entry of entries) {
        try {
          parseAllowedNetwork(entry);
        } catch {
          ctx.addIssue({ code: 'custom', message: `${JSON.stringify(entry)} is not a CIDR range or IP address` });
          return z.NEVER;
        }
      }
      return entries;
    }),
};
