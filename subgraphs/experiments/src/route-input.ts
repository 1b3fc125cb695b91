import { GraphQLError } from 'graphql';
import { z } from 'zod';
import { parseRouteDefinition, type Route, type RouteIssue } from '@switchyard/data-plane/routes';
import { badUserInput } from './errors';

/** Longest accepted definition (JSON text). Real routes are a few hundred bytes. */
export const MAX_DEFINITION_LENGTH = 16 * 1024;

export const tenantIdSchema = z.uuid('Must be a tenant id (UUID).');
export const expectedVersionSchema = z.number().int().min(1, 'Versions start at 1.');
/** Lookups by name: the same bounds as the route schema, without its character rules (a bad name simply finds nothing). */
export const routeNameLookupSchema = z.string().min(1, 'Name the route.').max(256, 'At most 256 characters.');

/** `name` for the name itself, `definition` for the whole JSON, `definition.<path>` inside it. */
function fieldOf(issue: RouteIssue): string {
  if (issue.path === 'name') return 'name';
  return issue.path === '' ? 'definition' : `definition.${issue.path}`;
}

function invalidRoute(issues: readonly RouteIssue[]): GraphQLError {
  const first = issues[0];
  const field = first ? fieldOf(first) : 'definition';
  return new GraphQLError(`Invalid ${field}: ${first?.message ?? 'malformed route'}`, {
    extensions: { code: 'BAD_USER_INPUT', field, issues: issues.map((issue) => ({ field: fieldOf(issue), message: issue.message })) },
  });
}

/**
 * Parses a route name and its JSON definition with the data plane's own route schema, so what
 * is stored is exactly what the router runs. Errors name the field (`definition.candidates.0.model`).
 */
export function parseRouteInput(name: string, definitionText: string): Route {
  if (definitionText.length > MAX_DEFINITION_LENGTH) throw badUserInput(`Invalid definition: at most ${MAX_DEFINITION_LENGTH} characters of JSON.`, 'definition');
  let definition: unknown;
  try {
    definition = JSON.parse(definitionText);
  } catch {
    throw badUserInput('Invalid definition: not valid JSON.', 'definition');
  }
  // The experiment on a route is written only by the experiment lifecycle (startExperiment, …).
  if (typeof definition === 'object' && definition !== null && 'experiment' in definition) {
    throw badUserInput('Invalid definition.experiment: experiments are started and stopped with startExperiment / stopExperiment, not written into a route.', 'definition.experiment');
  }
  const parsed = parseRouteDefinition(name, definition);
  if (!parsed.ok) throw invalidRoute(parsed.issues);
  return parsed.route;
}

export interface KnownTargets {
  models: ReadonlySet<string>;
  /** Platform routes and the tenant's other routes: what a fallback may name besides a model. */
  routes: ReadonlySet<string>;
}

/** Every candidate must be a known model; every fallback a known model or route. */
export function checkReferences(route: Route, known: KnownTargets): void {
  const issues: RouteIssue[] = [];
  route.candidates.forEach((candidate, index) => {
    if (!known.models.has(candidate.model)) issues.push({ path: `candidates.${index}.model`, message: `unknown model '${candidate.model}' (not in the price book)` });
  });
  (route.fallbacks ?? []).forEach((fallback, index) => {
    if (!known.models.has(fallback) && !known.routes.has(fallback)) issues.push({ path: `fallbacks.${index}`, message: `'${fallback}' is neither a known model nor a route` });
  });
  if (issues.length > 0) throw invalidRoute(issues);
}
