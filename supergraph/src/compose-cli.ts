import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { API_SCHEMA_FILE, SUPERGRAPH_FILE } from './compose/artifacts';
import { checkComposition } from './compose/check';
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

function refExists(ref: string): boolean {
  try {
    execFileSync('git', ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function committedAt(ref: string, file: string): string | undefined {
  try {
    const root = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
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

  if (!refExists(base)) {
    console.error(`unknown base ref "${base}": pass --base=<a commit or branch that exists> (fetch it first in CI).`);
    return 1;
  }
  const result = await checkComposition({
    composed,
    onDisk: { supergraphSdl: await readIfExists(SUPERGRAPH_FILE), apiSchemaSdl: await readIfExists(API_SCHEMA_FILE) },
    baseApiSchemaSdl: committedAt(base, API_SCHEMA_FILE),
    baseName: base,
    allowBreaking,
  });
  for (const note of result.notes) console.log(note);
  for (const problem of result.problems) console.error(problem);
  if (result.ok) console.log('supergraph is composed, committed and free of breaking changes.');
  return result.ok ? 0 : 1;
}

process.exitCode = await main();
