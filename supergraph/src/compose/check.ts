import { findBreakingChanges } from './breaking-changes';
import type { ComposedSupergraph } from './compose';

export interface CompositionCheckInput {
  composed: ComposedSupergraph;
  /** The generated files as they are on disk (undefined when missing). */
  onDisk: { supergraphSdl: string | undefined; apiSchemaSdl: string | undefined };
  /** api-schema.graphql at the base ref; undefined when the base has none (first commit). */
  baseApiSchemaSdl: string | undefined;
  baseName: string;
  allowBreaking: boolean;
}

export interface CompositionCheckResult {
  ok: boolean;
  /** Human-readable findings, each actionable. */
  problems: string[];
  notes: string[];
}

/** What `compose:check` decides: generated files current, and no unannounced breaking API change. */
export async function checkComposition(input: CompositionCheckInput): Promise<CompositionCheckResult> {
  const problems: string[] = [];
  const notes: string[] = [];
  if (input.onDisk.supergraphSdl !== input.composed.supergraphSdl) {
    problems.push('supergraph.graphql is out of date with the subgraph schemas: run `npm run compose` and commit the result.');
  }
  if (input.onDisk.apiSchemaSdl !== input.composed.apiSchemaSdl) {
    problems.push('api-schema.graphql is out of date with the subgraph schemas: run `npm run compose` and commit the result.');
  }
  if (input.baseApiSchemaSdl === undefined) {
    notes.push(`no api-schema.graphql at ${input.baseName}: skipping the breaking-change check.`);
  } else {
    const breaking = await findBreakingChanges(input.baseApiSchemaSdl, input.composed.apiSchemaSdl);
    if (breaking.length > 0) {
      const list = breaking.map((change) => `  - ${change.message}${change.path ? ` (${change.path})` : ''}`).join('\n');
      const summary = `${breaking.length} breaking API change(s) versus ${input.baseName}:\n${list}`;
      if (input.allowBreaking) notes.push(`${summary}\n(allowed by --allow-breaking)`);
      else problems.push(`${summary}\nMake the change additive (deprecate first), or pass --allow-breaking when it is intended.`);
    }
  }
  return { ok: problems.length === 0, problems, notes };
}
