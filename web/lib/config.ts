import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * Server-side runtime configuration of the console, parsed once with zod.
 * These are deliberately NOT `NEXT_PUBLIC_*` build-time variables: one build must run anywhere,
 * so client components receive what they need (the WebSocket URL, the OpenAI base URL) as props.
 */
export interface ConsoleConfig {
  oidcIssuer: URL;
  oidcClientId: string;
  /** Public origin of the console, e.g. `http://127.0.0.1:3000` (no trailing slash). */
  consoleUrl: string;
  redirectUri: string;
  postLogoutRedirectUri: string;
  /** Scopes requested at sign-in. */
  scopes: string;
  /** Resource indicator (RFC 8707) the access token is minted for. */
  apiResource: string;
  gatewayUrl: string;
  /** graphql-ws endpoint the browser connects to (same path as HTTP, ws/wss scheme). */
  gatewayWsUrl: string;
  openAiBaseUrl: string;
  /** 32 bytes of key material for sealing cookies. */
  sessionSecret: string;
  /** True when the secret was generated for this process (sessions do not survive a restart). */
  sessionSecretIsEphemeral: boolean;
  /** Mark cookies `Secure` when the console is served over https. */
  secureCookies: boolean;
}

const httpUrl = z
  .string()
  .trim()
  .url()
  .refine((value) => /^https?:\/\//.test(value), 'must be an http(s) URL');

const envSchema = z.object({
  OIDC_ISSUER: httpUrl.default('http://127.0.0.1:4400'),
  OIDC_CLIENT_ID: z.string().trim().min(1).default('switchyard-console'),
  SWITCHYARD_CONSOLE_URL: httpUrl.default('http://127.0.0.1:3000'),
  SWITCHYARD_GATEWAY_URL: httpUrl.default('http://127.0.0.1:4000/graphql'),
  SWITCHYARD_OPENAI_BASE_URL: httpUrl.default('http://127.0.0.1:8080/v1'),
  SWITCHYARD_SESSION_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. `openssl rand -base64 32`)')
    .optional(),
});

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Derives the graphql-ws URL from the gateway's HTTP URL (`http` → `ws`, `https` → `wss`). */
export function toWebSocketUrl(httpGatewayUrl: string): string {
  const url = new URL(httpGatewayUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

function withoutTrailingSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

// A per-process random secret must be the SAME for every module instance in the process
// (Next bundles the proxy and the route handlers separately), so it lives on globalThis.
const EPHEMERAL_SECRET_KEY = Symbol.for('switchyard.console.ephemeralSessionSecret');

function ephemeralSecret(): string {
  const holder = globalThis as { [EPHEMERAL_SECRET_KEY]?: string };
  holder[EPHEMERAL_SECRET_KEY] ??= randomBytes(32).toString('base64url');
  return holder[EPHEMERAL_SECRET_KEY];
}

/** Pure parser (tested); `getConfig()` applies it to `process.env` once. */
export function parseConfig(env: Record<string, string | undefined>): ConsoleConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new ConfigError(`invalid console environment:\n${problems}`);
  }
  const values = parsed.data;
  const consoleUrl = withoutTrailingSlash(values.SWITCHYARD_CONSOLE_URL);
  const sessionSecret = values.SWITCHYARD_SESSION_SECRET ?? ephemeralSecret();
  return {
    oidcIssuer: new URL(values.OIDC_ISSUER),
    oidcClientId: values.OIDC_CLIENT_ID,
    consoleUrl,
    redirectUri: `${consoleUrl}/auth/callback`,
    postLogoutRedirectUri: `${consoleUrl}/`,
    scopes: 'openid email profile offline_access',
    apiResource: 'urn:switchyard:api',
    gatewayUrl: values.SWITCHYARD_GATEWAY_URL,
    gatewayWsUrl: toWebSocketUrl(values.SWITCHYARD_GATEWAY_URL),
    openAiBaseUrl: withoutTrailingSlash(values.SWITCHYARD_OPENAI_BASE_URL),
    sessionSecret,
    sessionSecretIsEphemeral: values.SWITCHYARD_SESSION_SECRET === undefined,
    secureCookies: consoleUrl.startsWith('https://'),
  };
}

let cached: ConsoleConfig | undefined;

export function getConfig(): ConsoleConfig {
  if (cached) return cached;
  cached = parseConfig(process.env);
  if (cached.sessionSecretIsEphemeral) {
    const holder = globalThis as { [key: symbol]: unknown };
    const warned = Symbol.for('switchyard.console.ephemeralSecretWarned');
    if (!holder[warned]) {
      holder[warned] = true;
      console.warn(
        '[switchyard console] SWITCHYARD_SESSION_SECRET is not set: using a random per-process secret; ' +
          'sessions end when the console restarts and cannot be shared between replicas.',
      );
    }
  }
  return cached;
}
