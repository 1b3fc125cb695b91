import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

/** Changes of the public API schema that would break an existing client (removed fields, narrowed types, …). */
export async function findBreakingChanges(previousApiSdl: string, nextApiSdl: string): Promise<Change[]> {
  const changes = await diff(buildSchema(previousApiSdl), buildSchema(nextApiSdl));
  return changes.filter((change) => change.criticality.level === CriticalityLevel.Breaking);
}
