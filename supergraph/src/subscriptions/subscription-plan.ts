import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  print,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { SUBSCRIPTION_ROUTES, type SubscriptionRoute } from './subscription-routes';

/** A validated subscription, turned into the query that produces each of its payloads. */
export interface SubscriptionPlan {
  route: SubscriptionRoute;
  /** The key of events this subscription cares about (e.g. the tenant id). */
  key: string;
  /** The client's operation as a query: same variables, arguments, selection and response key. */
  query: DocumentNode;
  /** `query` printed once, as each refresh sends it. */
  queryText: string;
  operationName: string | undefined;
  variables: Record<string, unknown>;
}

function badRequest(message: string): GraphQLError[] {
  return [new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } })];
}

/** Names of the fragments a selection set uses, transitively. */
function usedFragments(selectionSet: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, found = new Set<string>()): Set<string> {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (found.has(name) || !fragment) continue;
      found.add(name);
      usedFragments(fragment.selectionSet, fragments, found);
    } else if (selection.selectionSet) {
      usedFragments(selection.selectionSet, fragments, found);
    }
  }
  return found;
}

/**
 * Plans a (schema-valid) subscription document: finds its route, coerces its arguments and
 * rewrites `subscription { costUpdated(args) { sel } }` into `query { costUpdated: costSummary(args) { sel } }`.
 */
export function planSubscription(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Readonly<Record<string, unknown>> | null | undefined,
): SubscriptionPlan | GraphQLError[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return badRequest('Name the operation to run (operationName) or send a single operation.');
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) {
    return badRequest('Only subscriptions are served over WebSocket; send queries and mutations over HTTP POST /graphql.');
  }
  const [field, ...others] = operation.selectionSet.selections;
  if (!field || others.length > 0 || field.kind !== Kind.FIELD) {
    return badRequest('Select exactly one subscription field, directly (no fragments at the root).');
  }
  const fieldName = field.name.value;
  const route = SUBSCRIPTION_ROUTES[fieldName];
  const fieldDefinition = schema.getSubscriptionType()?.getFields()[fieldName];
  if (!route || !fieldDefinition) return badRequest(`Subscription field "${fieldName}" is not served.`);

  const variables = rawVariables ?? {};
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 10 });
  if (coerced.errors) return [...coerced.errors];
  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(fieldDefinition, field, coerced.coerced);
  } catch (error) {
    return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
  }

  const queryField: FieldNode = {
    ...field,
    // The payload keeps the subscription's response key.
    alias: field.alias ?? { kind: Kind.NAME, value: fieldName },
    name: { kind: Kind.NAME, value: route.queryField },
  };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const keep = usedFragments(operation.selectionSet, fragments);
  const query: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      { ...operation, operation: OperationTypeNode.QUERY, selectionSet: { ...operation.selectionSet, selections: [queryField] } },
      ...[...fragments.values()].filter((fragment) => keep.has(fragment.name.value)),
    ],
  };

  return { route, key: route.subscriptionKey(args), query, queryText: print(query), operationName: operation.name?.value, variables: { ...variables } };
}
