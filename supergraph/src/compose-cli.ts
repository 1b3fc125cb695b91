import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { API_SCHEMA_FILE, SUPERGRAPH_FILE } from './compose/artifacts';
import { findBreakingChanges } from './compose/breaking-changes';
import { composeSupergraph, CompositionError } from './compose/compose';
import { loadSubgraphSources } from './compose/subgraph-sources';

/**
 * `npm run compose`: compose the subgraph schemas and write supergraph.graphql + api-schema.graphql.
 * `npm run compose:check [-- --base=<git ref>] [-- --allow-breaking]`: fail on composition errors,
 * on generated files that differ from what is on disk, and on breaking API changes versus the
 * api-schema.graphql committed at the base ref (default HEAD; CI passes the target branch).
 */
process.env.APOLLO_TELEMETRY_DISABLED = '1';

const args = process.argv.slice(2);
const check = args.includes('--check');
const allowBreaking = args.includes('--allow-breaking');
const base = args.find((arg) => arg.startsWith('--base='))?.slice('--base='.length) ?? 'HEAD';

function committedAt(ref: string, file: string): string | undefined {
  const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
  try {
    return execFileSync('git', ['show', `${ref}:${relative(root, file)}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

async function main(): Promise<number> {
  let composed;
  try {
    composed = composeSupergraph(await loadSubgraphSources());
  } catch (error) {
    if (error instanceof CompositionError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }

  if (!check) {
    await writeFile(SUPERGRAPH_FILE, composed.supergraphSdl);
    await writeFile(API_SCHEMA_FILE, composed.apiSchemaSdl);
    console.log(`wrote ${relative(process.cwd(), SUPERGRAPH_FILE)} and ${relative(process.cwd(), API_SCHEMA_FILE)}`);
    return 0;
  }

  let failed = false;
  for (const [file, expected] of [
    [SUPERGRAPH_FILE, composed.supergraphSdl],
    [API_SCHEMA_FILE, composed.apiSchemaSdl],
  ] as const) {
    if ((await readIfExists(file)) !== expected) {
      console.error(`${relative(process.cwd(), file)} is out of date with the subgraph schemas: run \`npm run compose\` and commit the result.`);
      failed = true;
    }
  }

  const previousApi = committedAt(base, API_SCHEMA_FILE);
  if (previousApi === undefined) {
    console.log(`no api-schema.graphql at ${base}: skipping the breaking-change check.`);
  } else {
    const breaking = await findBreakingChanges(previousApi, composed.apiSchemaSdl);
    if (breaking.length > 0) {
      console.error(`${breaking.length} breaking API change(s) versus ${base}:`);
      for (const change of breaking) console.error(`  - ${change.message}${change.path ? ` (${change.path})` : ''}`);
      if (!allowBreaking) {
        console.error('Make the change additive (deprecate first), or pass --allow-breaking when it is intended.');
        failed = true;
      }
    }
  }
  if (!failed) console.log('supergraph is composed, committed and free of breaking changes.');
  return failed ? 1 : 0;
}

process.exitCode = await main();
