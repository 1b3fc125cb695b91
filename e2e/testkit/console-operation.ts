import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './platform-process';

const PERSISTED = JSON.parse(readFileSync(path.join(REPO_ROOT, 'supergraph', 'persisted-operations.json'), 'utf8')) as { operations: Record<string, { name: string; document: string }> };

export interface ConsoleOperationResult {
  data?: unknown;
  errors?: Array<{ extensions?: { code?: string } }>;
}

/** One of the console's persisted operations, sent from the page as the console itself does (its session cookie, its CSRF header). */
export async function sendConsoleOperation(page: Page, operationName: string, variables: unknown): Promise<ConsoleOperationResult> {
  const query = Object.values(PERSISTED.operations).find((operation) => operation.name === operationName)?.document;
  if (!query) throw new Error(`${operationName} is not a persisted console operation`);
  return page.evaluate(
    async (body) => {
      const response = await fetch('/api/graphql', { method: 'POST', headers: { 'content-type': 'application/json', 'x-switchyard-csrf': '1' }, body });
      return (await response.json()) as ConsoleOperationResult;
    },
    JSON.stringify({ operationName, query, variables }),
  );
}
