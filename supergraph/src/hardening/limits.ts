import { ApolloArmor } from '@escape.tech/graphql-armor';

/**
 * Limits on what one operation may ask for. Sized for the console's heaviest query (tenant →
 * cost → series) with room to spare; an attacker's depth bomb or alias flood fails validation
 * before anything reaches a subgraph.
 */
export const OPERATION_LIMITS = {
  maxDepth: 8,
  maxAliases: 10,
  maxCost: 5000,
  maxTokens: 2000,
  maxDirectives: 20,
} as const;

export function createArmor() {
  return new ApolloArmor({
    maxDepth: { n: OPERATION_LIMITS.maxDepth },
    maxAliases: { n: OPERATION_LIMITS.maxAliases },
    costLimit: { maxCost: OPERATION_LIMITS.maxCost },
    // Armor's Apollo token plugin throws from a hook, which Apollo 5 answers with a 500; the
    // parser's own limit (Apollo `parseOptions.maxTokens`) gives a clean 400 instead.
    maxTokens: { enabled: false },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
    // "Did you mean …?" would map the schema for someone who may not introspect it.
    blockFieldSuggestion: { enabled: true },
  }).protect();
}
