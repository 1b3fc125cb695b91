/**
 * The policy language's syntax tree. The language is a strict subset of Cedar's policy syntax
 * (https://docs.cedarpolicy.com/policies/syntax-grammar.html), so every policy we accept is also a
 * Cedar policy with the same meaning; `print.ts` turns a tree back into that Cedar text.
 */

/** A place in the policy text. `line` and `column` are 1-based; `offset` is 0-based (UTF-16 units). */
export interface SourcePosition {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
}

export interface SourceSpan {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}

export type Effect = 'permit' | 'forbid';

/** The variables a condition may read. `action` is parsed so that we can refuse it with a clear reason. */
export type VariableName = 'principal' | 'action' | 'resource' | 'context';

export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';

export type SetMethod = 'contains' | 'containsAll' | 'containsAny' | 'isEmpty';

/** One element of a `like` pattern: a literal run of characters, or the `*` wildcard. */
export type PatternElement = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'wildcard' };

export type Expression =
  | { readonly kind: 'string'; readonly value: string; readonly span: SourceSpan }
  | { readonly kind: 'long'; readonly value: number; readonly span: SourceSpan }
  | { readonly kind: 'bool'; readonly value: boolean; readonly span: SourceSpan }
  | { readonly kind: 'set'; readonly elements: readonly Expression[]; readonly span: SourceSpan }
  /** Any identifier in value position; validation refuses names other than the four variables. */
  | { readonly kind: 'variable'; readonly name: string; readonly span: SourceSpan }
  | { readonly kind: 'attribute'; readonly object: Expression; readonly attribute: string; readonly span: SourceSpan }
  | { readonly kind: 'has'; readonly object: Expression; readonly attribute: string; readonly span: SourceSpan }
  | {
      readonly kind: 'compare';
      readonly operator: ComparisonOperator;
      readonly left: Expression;
      readonly right: Expression;
      readonly span: SourceSpan;
    }
  | { readonly kind: 'and' | 'or'; readonly left: Expression; readonly right: Expression; readonly span: SourceSpan }
  | { readonly kind: 'not'; readonly operand: Expression; readonly span: SourceSpan }
  | {
      readonly kind: 'method';
      readonly method: SetMethod;
      readonly receiver: Expression;
      /** Empty for `isEmpty()`, one argument otherwise. */
      readonly argument: Expression | undefined;
      readonly span: SourceSpan;
    }
  | { readonly kind: 'like'; readonly subject: Expression; readonly pattern: readonly PatternElement[]; readonly span: SourceSpan }
  | {
      readonly kind: 'if';
      readonly condition: Expression;
      readonly then: Expression;
      readonly else: Expression;
      readonly span: SourceSpan;
    };

export type ActionScope =
  | { readonly kind: 'any' }
  | { readonly kind: 'eq'; readonly action: string }
  | { readonly kind: 'in'; readonly actions: readonly string[] };

export type ResourceScope = { readonly kind: 'any' } | { readonly kind: 'is'; readonly entityType: string };

export interface Condition {
  readonly kind: 'when' | 'unless';
  readonly body: Expression;
  readonly span: SourceSpan;
}

export interface Annotation {
  readonly name: string;
  readonly value: string;
  readonly span: SourceSpan;
}

export interface Policy {
  /** From `@id("…")`; otherwise `policy<N>` with N the policy's index in its document (Cedar's own default). */
  readonly id: string;
  /** Where the id came from, for "duplicate id" errors. The `@id` annotation, or the policy's start. */
  readonly idSpan: SourceSpan;
  readonly annotations: readonly Annotation[];
  readonly effect: Effect;
  readonly action: ActionScope;
  readonly resource: ResourceScope;
  readonly conditions: readonly Condition[];
  readonly span: SourceSpan;
}
