import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors, type Configuration, type Interaction, type KoaContextWithOIDC } from 'oidc-provider';
import { z } from 'zod';
import type { Role } from '../internal-token';
import { disableContextWhenIdle, providerRequestContext } from './idle-request-context';
import { createAccountDirectory, type AccountDirectory, type IssuerAccount, type IssuerUser } from './accounts';
import { CONSOLE_CLIENT_ID, SWITCHYARD_API_RESOURCE } from './constants';
import { loadOrCreateIssuerKeys } from './keys';
import { createLoginThrottle, type LoginThrottle } from './login-throttle';
import { createMemoryAdapterFactory } from './memory-adapter';
import { PAGE_SECURITY_HEADERS, errorPage, loginPage, logoutPage, signedOutPage } from './pages';

/**
 * Scopes the bundled issuer understands; `roles` carries the `roles` and `tid` claims. `inference`
 * lands in the access token's `scope` claim: the data plane accepts the token for chat calls.
 */
export const ISSUER_SCOPES = ['openid', 'offline_access', 'email', 'profile', 'roles', 'inference'] as const;

const FIRST_PARTY_CLIENTS: ReadonlySet<string> = new Set([CONSOLE_CLIENT_ID]);
const ACCESS_TOKEN_TTL_SECONDS = 60 * 60;
const MAX_FORM_BYTES = 8 * 1024;

export interface OidcIssuerOptions {
  /** Port to bind; 0 picks a free one (then the issuer URL is derived from it). */
  port: number;
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** Public issuer URL; default `http://<host>:<bound port>`. */
  issuer?: string;
  consoleRedirectUris: string[];
  /** Where the console may send the browser after sign-out; default: `<origin>/` of each redirect URI. */
  consolePostLogoutRedirectUris?: string[];
  admin: { login: string; password: string; email: string };
  /** More people who can sign in (e.g. tenant admins in tests). The seeded admin is always `sub: 'admin'`. */
  extraUsers?: IssuerUser[];
  /** With a data dir, signing keys persist there (`oidc-jwks.json`), so tokens survive restarts. */
  dataDir?: string;
}

export interface OidcIssuer {
  issuer: string;
  close(): Promise<void>;
}

function originRoot(uri: string): string {
  return `${new URL(uri).origin}/`;
}

function accountClaims(account: IssuerAccount) {
  return {
    sub: account.sub,
    email: account.email,
    email_verified: true,
    preferred_username: account.login,
    roles: account.roles,
    ...(account.tenantId ? { tid: account.tenantId } : {}),
  };
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new FormTooLargeError();
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

class FormTooLargeError extends Error {}

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...PAGE_SECURITY_HEADERS });
  res.end(html);
}

function buildConfiguration(options: {
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  accounts: AccountDirectory;
  jwks: { keys: Record<string, unknown>[] };
  cookieKeys: string[];
}): Configuration {
  const { accounts } = options;

  return {
    adapter: createMemoryAdapterFactory(),
    clients: [
      {
        client_id: CONSOLE_CLIENT_ID,
        client_name: 'Switchyard console',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris,
      },
    ],
    jwks: options.jwks as Configuration['jwks'],
    cookies: { keys: options.cookieKeys },
    scopes: [...ISSUER_SCOPES],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'], roles: ['roles', 'tid'] },
    // ID tokens carry the scoped claims too, so the console can show who is signed in without a userinfo call.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    findAccount(_ctx, sub) {
      const account = accounts.find(sub);
      if (!account) return undefined;
      return { accountId: account.sub, claims: () => accountClaims(account) };
    },
    // RFC 9068 access tokens carry what the gateway needs to authorize without calling back here.
    extraTokenClaims(_ctx, token) {
      const accountId = 'accountId' in token ? token.accountId : undefined;
      const account = accountId === undefined ? undefined : accounts.find(accountId);
      if (!account) return undefined;
      const { email, roles, tid } = accountClaims(account);
      return { email, roles, ...(tid ? { tid } : {}) };
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.set(PAGE_SECURITY_HEADERS);
          ctx.body = logoutPage(form, ctx.host);
        },
        postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.set(PAGE_SECURITY_HEADERS);
          ctx.body = signedOutPage();
        },
      },
      resourceIndicators: {
        enabled: true,
        // A client that names no resource still gets a JWT for the Switchyard API.
        defaultResource: () => SWITCHYARD_API_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resourceIndicator) {
          if (resourceIndicator !== SWITCHYARD_API_RESOURCE) throw new errors.InvalidTarget(`unknown resource ${resourceIndicator}`);
          return {
            scope: ISSUER_SCOPES.join(' '),
            audience: SWITCHYARD_API_RESOURCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // First-party client: no consent screen. The grant covers whatever the client asked for.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const existing = grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined;
      if (!FIRST_PARTY_CLIENTS.has(client.clientId)) return existing;
      const grant = existing ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamOIDCScopes]);
      for (const resource of Object.keys(ctx.oidc.resourceServers ?? {})) {
        grant.addResourceScope(resource, [...ctx.oidc.requestParamScopes]);
      }
      await grant.save();
      return grant;
    },
    clientBasedCORS(_ctx, origin, client) {
      return client.redirectUris?.some((uri) => URL.parse(uri)?.origin === origin) ?? false;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.set(PAGE_SECURITY_HEADERS);
      ctx.body = errorPage({ error: out.error, error_description: out.error_description });
    },
    ttl: {
      AccessToken: ACCESS_TOKEN_TTL_SECONDS,
      AuthorizationCode: 60,
      IdToken: ACCESS_TOKEN_TTL_SECONDS,
      Interaction: 30 * 60,
      Session: 14 * 24 * 60 * 60,
      Grant: 14 * 24 * 60 * 60,
      RefreshToken: 14 * 24 * 60 * 60,
    },
  };
}

const consentDetailsSchema = z.object({
  missingOIDCScope: z.array(z.string()).optional(),
  missingOIDCClaims: z.array(z.string()).optional(),
  missingResourceScopes: z.record(z.string(), z.array(z.string())).optional(),
});

/**
 * The console is first-party: consent (asked for explicitly, e.g. with `prompt=consent` for
 * `offline_access`) is granted without a screen. Other clients are not registered, so never get here.
 */
async function approveFirstPartyConsent(provider: Provider, req: IncomingMessage, res: ServerResponse, details: Interaction): Promise<void> {
  const clientId = details.params.client_id;
  const accountId = details.session?.accountId;
  if (typeof clientId !== 'string' || !FIRST_PARTY_CLIENTS.has(clientId) || !accountId) {
    await provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'consent is only granted to first-party clients' }, { mergeWithLastSubmission: false });
    return;
  }
  const grant = (details.grantId ? await provider.Grant.find(details.grantId) : undefined) ?? new provider.Grant({ accountId, clientId });
  const missing = consentDetailsSchema.parse(details.prompt.details);
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope);
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(resource, scopes);
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const INTERACTION_PATH = /^\/interaction\/([A-Za-z0-9_-]{1,64})(\/login)?$/;

function createInteractionHandler(provider: Provider, accounts: AccountDirectory, throttle: LoginThrottle) {
  return async (req: IncomingMessage, res: ServerResponse, uid: string, isLoginPost: boolean): Promise<void> => {
    let details;
    try {
      details = await provider.interactionDetails(req, res);
    } catch {
      sendPage(res, 400, errorPage({ error: 'sign-in expired', error_description: 'This sign-in request expired or was already used. Go back to the console and sign in again.' }));
      return;
    }
    if (details.uid !== uid) {
      sendPage(res, 400, errorPage({ error: 'invalid request', error_description: 'This sign-in link does not belong to your browser session. Start again from the console.' }));
      return;
    }
    const client = await provider.Client.find(details.params.client_id as string);
    const clientName = client?.clientName ?? (details.params.client_id as string);
    const action = `/interaction/${uid}/login`;

    if (details.prompt.name === 'consent') {
      await approveFirstPartyConsent(provider, req, res, details);
      return;
    }
    if (details.prompt.name !== 'login') {
      await provider.interactionFinished(req, res, { error: 'access_denied', error_description: `unsupported prompt ${details.prompt.name}` }, { mergeWithLastSubmission: false });
      return;
    }

    if (!isLoginPost) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET' }).end();
        return;
      }
      sendPage(res, 200, loginPage({ action, clientName }));
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    let form: URLSearchParams;
    try {
      form = await readForm(req);
    } catch (error) {
      if (error instanceof FormTooLargeError) {
        sendPage(res, 413, loginPage({ action, clientName, error: 'The form was too large.' }));
        return;
      }
      throw error;
    }
    const login = (form.get('login') ?? '').slice(0, 320);
    const password = (form.get('password') ?? '').slice(0, 1024);
    const waitMs = throttle.retryAfterMs(login);
    if (waitMs > 0) {
      const minutes = Math.ceil(waitMs / 60_000);
      res.setHeader('retry-after', String(Math.ceil(waitMs / 1000)));
      sendPage(res, 429, loginPage({ action, clientName, login, error: `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.` }));
      return;
    }
    const account = login && password ? await accounts.authenticate(login, password) : null;
    if (!account) {
      throttle.recordFailure(login);
      sendPage(res, 401, loginPage({ action, clientName, login, error: 'Wrong username or password. Try again.' }));
      return;
    }
    throttle.recordSuccess(login);
    await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
  };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * The bundled OIDC issuer (DESIGN.md §2, identity row): one first-party public client (the console,
 * authorization code + PKCE), a real login form, RFC 9068 JWT access tokens for `urn:switchyard:api`.
 */
export async function startOidcIssuer(options: OidcIssuerOptions): Promise<OidcIssuer> {
  const host = options.host ?? '127.0.0.1';
  const admin: IssuerUser = { sub: 'admin', login: options.admin.login, password: options.admin.password, email: options.admin.email, roles: ['platform_admin'] satisfies Role[], tenantId: null };
  const accounts = await createAccountDirectory([admin, ...(options.extraUsers ?? [])]);
  const keys = await loadOrCreateIssuerKeys(options.dataDir);

  // The issuer URL may depend on the bound port, and the provider needs it, so bind first.
  const notReady = (_req: IncomingMessage, res: ServerResponse) => res.writeHead(503, { 'retry-after': '1' }).end();
  const server = createServer(notReady);
  const address = await listen(server, options.port, host);
  const issuer = (options.issuer ?? `http://${host}:${address.port}`).replace(/\/$/, '');

  const provider = new Provider(
    issuer,
    buildConfiguration({
      redirectUris: options.consoleRedirectUris,
      postLogoutRedirectUris: options.consolePostLogoutRedirectUris ?? [...new Set(options.consoleRedirectUris.map(originRoot))],
      accounts,
      jwks: keys.jwks,
      cookieKeys: keys.cookieKeys,
    }),
  );
  // Honour X-Forwarded-* only when the public issuer differs from what we bind (behind a proxy).
  provider.proxy = options.issuer !== undefined && new URL(issuer).host !== `${host}:${address.port}`;

  const providerCallback = provider.callback();
  const interaction = createInteractionHandler(provider, accounts, createLoginThrottle());
  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const match = INTERACTION_PATH.exec(path);
    if (!match?.[1]) {
      void providerCallback(req, res);
      return;
    }
    interaction(req, res, match[1], match[2] !== undefined).catch((error: unknown) => {
      if (!res.headersSent) sendPage(res, 500, errorPage({ error: 'server error', error_description: 'The sign-in could not be completed. Try again.' }));
      else res.destroy(error instanceof Error ? error : undefined);
    });
  };

  // Resolved before the swap: between the two lines below no request may go unanswered.
  const requestContext = await providerRequestContext();
  server.off('request', notReady);
  server.on('request', disableContextWhenIdle(handle, requestContext));

  return {
    issuer,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
