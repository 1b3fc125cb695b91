import { GraphQLError } from 'graphql';

// Browser-safe on purpose: the console imports this module (through graphql-errors.ts), so it
// depends on nothing but `graphql` (see errors-module-purity.test.ts).

/**
 * What kind of problem a code reports, so clients can react by group:
 * - `authentication`: who is calling could not be established (new credentials may fix it);
 * - `authorization`: the caller may not do this;
 * - `input`: the request itself is wrong (argument, body, method, operation);
 * - `state`: what is stored refuses it (missing, taken, limit reached, changed meanwhile);
 * - `unavailable`: a dependency or the deployment cannot serve it right now;
 * - `internal`: a bug; the message is masked before it reaches a client.
 */
export type ErrorKind = 'authentication' | 'authorization' | 'input' | 'state' | 'unavailable' | 'internal';

export interface ErrorDefinition {
  /** The message when the factory is given none (the producer's usual wording). */
  readonly message: string;
  /** What the code means whoever produces it, for the generated error list; defaults to `message`. */
  readonly description?: string;
  /**
   * True when sending the same request again, or keeping a subscription open, cannot succeed:
   * the caller has to change something first (credentials, input, or what is stored).
   * False when a retry later may work (something was unavailable or broke).
   */
  readonly final: boolean;
  readonly kind: ErrorKind;
  /**
   * The HTTP status that fits the code: a transport answering a whole request with this code
   * uses it. A resolver error in a (possibly partial) GraphQL response keeps 200, unless `failsRequest`.
   */
  readonly httpStatus: number;
  /** The error fails the request as a whole: factories set `extensions.http.status` so Apollo answers with `httpStatus`. */
  readonly failsRequest?: boolean;
  /** Extension fields the error carries besides `code` (name → meaning): typed factory arguments and the docs. */
  readonly fields?: Readonly<Record<string, string>>;
}

export type ErrorDefinitions = Readonly<Record<string, ErrorDefinition>>;

type FieldName<TDefinition extends ErrorDefinition> = TDefinition extends { readonly fields: infer TFields } ? keyof TFields & string : never;

/** The extension fields a code's factory accepts: exactly those its definition names (none: nothing). */
export type ErrorExtensions<TDefinition extends ErrorDefinition> = [FieldName<TDefinition>] extends [never] ? undefined : { readonly [TField in FieldName<TDefinition>]?: unknown };

export interface ErrorRegistry<TDefinitions extends ErrorDefinitions> {
  readonly definitions: TDefinitions;
  readonly codes: readonly (keyof TDefinitions & string)[];
  /** A GraphQLError with `extensions.code` (plus the given fields, and `http.status` for a code that fails the whole request). */
  create<TCode extends keyof TDefinitions & string>(code: TCode, message?: string, extensions?: ErrorExtensions<TDefinitions[TCode]>): GraphQLError;
  has(code: unknown): code is keyof TDefinitions & string;
  /** Whether a client should stop retrying on this code; unknown codes are not final. */
  isFinal(code: unknown): boolean;
  /** A GraphQLError with one of these codes that a client may read as it is (any kind but `internal`). */
  isClientError(error: unknown): error is GraphQLError;
  /** These codes and more; a code given again replaces the definition (e.g. to name more fields). */
  extend<const TMore extends ErrorDefinitions>(more: TMore): ErrorRegistry<Omit<TDefinitions, keyof TMore> & TMore>;
}

const CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;

function checkDefinition(code: string, definition: ErrorDefinition): void {
  if (!CODE_PATTERN.test(code)) throw new Error(`Error code ${JSON.stringify(code)} is not UPPER_SNAKE_CASE.`);
  if (!Number.isInteger(definition.httpStatus) || definition.httpStatus < 400 || definition.httpStatus > 599) {
    throw new Error(`Error code ${code}: httpStatus ${definition.httpStatus} is not a 4xx or 5xx status.`);
  }
  if (definition.message.trim() === '') throw new Error(`Error code ${code} has no message.`);
  if (definition.kind === 'internal' && definition.final) throw new Error(`Error code ${code}: an internal error is never final (a retry may work).`);
}

/**
 * One registry of GraphQL error codes: each code's default message, whether it is final, its
 * kind and HTTP status. Gives typed factories and the checks clients and transports need.
 */
export function defineErrors<const TDefinitions extends ErrorDefinitions>(definitions: TDefinitions): ErrorRegistry<TDefinitions> {
  type Code = keyof TDefinitions & string;
  const byCode = new Map<string, ErrorDefinition>(Object.entries(definitions));
  for (const [code, definition] of byCode) checkDefinition(code, definition);
  const has = (code: unknown): code is Code => typeof code === 'string' && byCode.has(code);

  return {
    definitions,
    codes: [...byCode.keys()] as Code[],
    create(code, message, extensions) {
      const definition = byCode.get(code);
      if (!definition) throw new Error(`Unknown error code ${code}.`);
      return new GraphQLError(message ?? definition.message, {
        extensions: { code, ...extensions, ...(definition.failsRequest ? { http: { status: definition.httpStatus } } : {}) },
      });
    },
    has,
    isFinal: (code) => typeof code === 'string' && byCode.get(code)?.final === true,
    isClientError(error): error is GraphQLError {
      if (!(error instanceof GraphQLError)) return false;
      const code = error.extensions['code'];
      return typeof code === 'string' && byCode.has(code) && byCode.get(code)?.kind !== 'internal';
    },
    // The spread holds exactly these definitions: the later ones replace a code given twice.
    extend: (more) => defineErrors({ ...definitions, ...more } as unknown as Omit<TDefinitions, keyof typeof more> & typeof more),
  };
}

export interface MergedErrorDefinition extends ErrorDefinition {
  /** Who may answer with this code (the registries' names, in merge order). */
  readonly producers: readonly string[];
}

/** What merging reads of a registry: its codes and their definitions. */
export interface ErrorCatalog<TCode extends string = string> {
  readonly codes: readonly TCode[];
  readonly definitions: Readonly<Record<TCode, ErrorDefinition>>;
}

type CodeOf<TCatalog> = TCatalog extends ErrorCatalog<infer TCode> ? TCode : never;

export interface MergedErrorRegistry<TCode extends string> {
  readonly codes: readonly TCode[];
  readonly definitions: Readonly<Record<TCode, MergedErrorDefinition>>;
  has(code: unknown): code is TCode;
  /** Whether a client should stop retrying on this code; unknown codes are not final. */
  isFinal(code: unknown): boolean;
  /** The code's kind; undefined for a code no registry defines. */
  kindOf(code: unknown): ErrorKind | undefined;
}

/**
 * Every code of several registries, each once. A code several producers share must agree on
 * what a client relies on (final, kind, HTTP status); their messages may differ. The first
 * registry's message and description of a code win, its fields are the union.
 */
export function mergeErrorRegistries<const TRegistries extends Readonly<Record<string, ErrorCatalog>>>(
  registries: TRegistries,
): MergedErrorRegistry<{ [TName in keyof TRegistries]: CodeOf<TRegistries[TName]> }[keyof TRegistries]> {
  type Code = { [TName in keyof TRegistries]: CodeOf<TRegistries[TName]> }[keyof TRegistries];
  const merged = new Map<string, MergedErrorDefinition>();
  for (const [producer, registry] of Object.entries(registries)) {
    for (const [code, definition] of Object.entries<ErrorDefinition>(registry.definitions)) {
      const seen = merged.get(code);
      if (!seen) {
        merged.set(code, { ...definition, producers: [producer] });
        continue;
      }
      for (const key of ['final', 'kind', 'httpStatus'] as const) {
        if (seen[key] !== definition[key]) {
          throw new Error(`Error code ${code}: ${producer} defines ${key} ${String(definition[key])}, ${seen.producers.join(', ')} defined ${String(seen[key])}.`);
        }
      }
      const fields = { ...definition.fields, ...seen.fields };
      merged.set(code, { ...seen, ...(Object.keys(fields).length > 0 ? { fields } : {}), producers: [...seen.producers, producer] });
    }
  }
  const definitions = Object.fromEntries(merged) as Record<Code, MergedErrorDefinition>;
  const has = (code: unknown): code is Code => typeof code === 'string' && merged.has(code);
  return {
    codes: [...merged.keys()] as Code[],
    definitions,
    has,
    isFinal: (code) => has(code) && definitions[code].final,
    kindOf: (code) => (has(code) ? definitions[code].kind : undefined),
  };
}
