import type { PlatformEnv } from './config';
import type { RunningPlatform } from './platform';

/** What `npm start` prints on stdout once everything answers: where to go next. */
export function formatBanner(platform: RunningPlatform, env: PlatformEnv): string {
  const { urls, backends } = platform;
  const embedded = backends.database === 'pglite' ? 'embedded PGlite' : 'Postgres';
  const bus = backends.bus === 'redis' ? 'Redis' : 'in-process bus';
  const key = platform.demoApiKey
    ? `${platform.demoApiKey}\n                    (shown once; more with: npm run -s admin -- key create --tenant demo)`
    : 'created on first start; a new one: npm run -s admin -- key create --tenant demo';
  return `
Switchyard is running (${embedded}, ${bus}).

  Console           ${urls.console}
                    sign in as ${env.SWITCHYARD_ADMIN_LOGIN} / ${env.SWITCHYARD_ADMIN_PASSWORD === 'switchyard-admin' ? 'switchyard-admin' : '(SWITCHYARD_ADMIN_PASSWORD)'}
  OpenAI base URL   ${urls.openaiBaseUrl}
  Demo API key      ${key}
  Routes            ${platform.platformRoutes.join(', ') || '(none configured)'}: send one as "model"; GET /v1/models lists them
                    tenant admins add their own with the createRoute mutation (experiments subgraph)
  GraphQL API       ${urls.graphql}
  OIDC issuer       ${urls.oidcIssuer}

Try it:
  curl ${urls.openaiBaseUrl}/chat/completions -H "Authorization: Bearer ${platform.demoApiKey ?? '<key>'}" \\
    -H 'content-type: application/json' -d '{"model":"mock-gpt","messages":[{"role":"user","content":"hello"}]}'

Ctrl-C stops everything.
`;
}
