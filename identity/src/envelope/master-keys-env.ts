import { z } from 'zod';
import { localKmsConfigSchema } from './local-kms';

/**
 * `SWITCHYARD_MASTER_KEYS`: JSON `{"<id>": "<base64 32 bytes>", …}` or `<id>:<base64>,<id>:<base64>`.
 * `SWITCHYARD_MASTER_KEY_ID` names the current one (optional when there is only one).
 */
export function parseMasterKeysEnv(keys: string, activeKeyId: string | undefined): { masterKeys: Record<string, string>; activeKeyId: string } {
  let masterKeys: Record<string, string>;
  const text = keys.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error('SWITCHYARD_MASTER_KEYS: not valid JSON');
    }
    masterKeys = z.record(z.string(), z.string()).parse(parsed);
  } else {
    masterKeys = {};
    for (const entry of text.split(',').map((part) => part.trim()).filter(Boolean)) {
      const colon = entry.indexOf(':');
      if (colon <= 0) throw new Error('SWITCHYARD_MASTER_KEYS: use <id>:<base64>[,<id>:<base64>…] or a JSON object');
      masterKeys[entry.slice(0, colon)] = entry.slice(colon + 1);
    }
  }
  const ids = Object.keys(masterKeys);
  const active = activeKeyId ?? (ids.length === 1 ? ids[0] : undefined);
  if (active === undefined) throw new Error('SWITCHYARD_MASTER_KEY_ID: required when SWITCHYARD_MASTER_KEYS holds several keys');
  const checked = localKmsConfigSchema.safeParse({ masterKeys, activeKeyId: active });
  if (!checked.success) throw new Error(`SWITCHYARD_MASTER_KEYS: ${checked.error.issues.map((issue) => issue.message).join('; ')}`);
  return { masterKeys, activeKeyId: active };
}
