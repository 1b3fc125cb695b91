import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { z } from 'zod';

/**
 * Signing keys and cookie secrets of the bundled issuer. With a data dir they are generated once
 * and persisted, so access tokens stay verifiable and browser sessions stay valid across restarts.
 */
export interface IssuerKeys {
  /** Private JWKS (RS256) handed to oidc-provider; the public half is served at /jwks. */
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
}

const JWKS_FILE = 'oidc-jwks.json';
const COOKIE_KEYS_FILE = 'oidc-cookie-keys.json';

const jwksSchema: z.ZodType<IssuerKeys['jwks']> = z.object({ keys: z.array(z.looseObject({ kty: z.string(), d: z.string() })).min(1) });
const cookieKeysSchema = z.array(z.string().min(32)).min(1);

async function generateJwks(): Promise<IssuerKeys['jwks']> {
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = await exportJWK(privateKey);
  return { keys: [{ ...jwk, alg: 'RS256', use: 'sig', kid: randomBytes(8).toString('base64url') }] };
}

function generateCookieKeys(): string[] {
  return [randomBytes(32).toString('base64url')];
}

async function readJson<T>(path: string, schema: z.ZodType<T>): Promise<T | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${path} is not a valid key file (${parsed.error.message}); move it away to generate a new one`);
  return parsed.data;
}

export async function loadOrCreateIssuerKeys(dataDir: string | undefined): Promise<IssuerKeys> {
  if (dataDir === undefined) return { jwks: await generateJwks(), cookieKeys: generateCookieKeys() };
  await mkdir(dataDir, { recursive: true });
  const jwksPath = join(dataDir, JWKS_FILE);
  const cookiePath = join(dataDir, COOKIE_KEYS_FILE);

  let jwks = await readJson(jwksPath, jwksSchema);
  if (!jwks) {
    jwks = await generateJwks();
    await writeFile(jwksPath, JSON.stringify(jwks, null, 2), { mode: 0o600 });
  }
  let cookieKeys = await readJson(cookiePath, cookieKeysSchema);
  if (!cookieKeys) {
    cookieKeys = generateCookieKeys();
    await writeFile(cookiePath, JSON.stringify(cookieKeys), { mode: 0o600 });
  }
  return { jwks, cookieKeys };
}
