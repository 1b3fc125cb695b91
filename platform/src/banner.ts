import { COMPONENTS, type PlatformEnv } from './config';
import { DEFAULT_ADMIN_PASSWORD, secondAdmin } from './demo-accounts';
import type { RunningPlatform } from './platform';

const DATABASE_NAMES = { pglite: 'embedded PGlite', postgres: 'Postgres' } as const;

/** What `npm start` prints on stdout once everything answers: where to go next, for what this start runs only. */
export function formatBanner(platform: Pick<RunningPlatform, 'urls' | 'backends' | 'components' | 'platformRoutes' | 'demoApiKey'>, env: Pick<PlatformEnv, 'SWITCHYARD_ADMIN_LOGIN' | 'SWITCHYARD_ADMIN_PASSWORD' | 'SWITCHYARD_SECOND_ADMIN_LOGIN' | 'SWITCHYARD_SECOND_ADMIN_PASSWORD' | 'SWITCHYARD_SECOND_ADMIN_EMAIL'>): string {
  const { urls, backends, components } = platform;
  const runs = (component: (typeof COMPONENTS)[number]) => components.has(component);
  const backendNames = [...(backends.database ? [DATABASE_NAMES[backends.database]] : []), backends.bus === 'redis' ? 'Redis' : 'in-process bus'].join(', ');
  const lines: string[] = ['', `Switchyard is running (${backendNames}).`, ''];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(18)}${value}`);
  const more = (value: string) => lines.push(`${' '.repeat(20)}${value}`);

  if (components.size < COMPONENTS.length) row('Components', `${[...components].join(', ') || '(none)'} (SWITCHYARD_COMPONENTS)`);
  if (runs('console')) {
    row('Console', urls.console);
    more(`sign in as ${env.SWITCHYARD_ADMIN_LOGIN} / ${env.SWITCHYARD_ADMIN_PASSWORD === DEFAULT_ADMIN_PASSWORD ? DEFAULT_ADMIN_PASSWORD : '(SWITCHYARD_ADMIN_PASSWORD)'}`);
    const reviewer = runs('oidc') ? secondAdmin(env) : null;
    if (reviewer) {
      // Policies take a second admin's approval: say who that is, or the first policy looks stuck.
      more(`second admin (approves policies): ${reviewer.login} / ${reviewer.demo ? reviewer.password : '(SWITCHYARD_SECOND_ADMIN_PASSWORD)'}`);
    }
  }
  if (runs('data-plane')) row('OpenAI base URL', urls.openaiBaseUrl);
  if (platform.demoApiKey) {
    // Shown once whatever else runs: it is never printed again.
    row('Demo API key', platform.demoApiKey);
    more('(shown once; more with: npm run -s admin -- key create --tenant demo)');
  } else if (runs('data-plane')) {
    row('Demo API key', 'created on first start; a new one: npm run -s admin -- key create --tenant demo');
  }
  if (runs('data-plane')) {
    row('Routes', `${platform.platformRoutes.join(', ') || '(none configured)'}: send one as "model"; GET /v1/models lists them`);
    more('tenant admins add their own with the createRoute mutation (experiments subgraph)');
  }
  if (runs('gateway')) row('GraphQL API', urls.graphql);
  if (runs('oidc')) row('OIDC issuer', urls.oidcIssuer);

  if (runs('data-plane')) {
    lines.push(
      '',
      'Try it:',
      `  curl ${urls.openaiBaseUrl}/chat/completions -H "Authorization: Bearer ${platform.demoApiKey ?? '<key>'}" \\`,
      `    -H 'content-type: application/json' -d '{"model":"mock-gpt","messages":[{"role":"user","content":"hello"}]}'`,
    );
  }
  lines.push('', 'Ctrl-C stops everything.', '');
  return lines.join('\n');
}
