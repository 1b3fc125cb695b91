import { ERROR_REGISTRY } from './errors';

/** Renders ERRORS.md from the registry; pure so the doc test can compare without touching disk. */
export function renderErrorsMarkdown(): string {
  const rows = Object.entries(ERROR_REGISTRY).map(
    ([code, entry]) => `| \`${code}\` | ${entry.status} | \`${entry.type}\` | ${entry.message.replaceAll('|', '\\|')} |`,
  );
  return [
    '# Data-plane errors',
    '',
    '<!-- Generated from src/errors.ts by `npm run -w @switchyard/data-plane errors:doc`. Do not edit by hand. -->',
    '',
    'Every error uses the OpenAI shape: `{"error":{"message","type","param","code"}}`.',
    '`param` names the offending request field when there is one. 429 and 503 carry `Retry-After` (seconds).',
    'After the first byte of a streamed answer, a failure arrives as a final SSE event',
    '`data: {"error":{...}}` and the stream ends without `data: [DONE]`.',
    '',
    '| code | status | type | message |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
