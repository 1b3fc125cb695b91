import type {
  ActionScope,
  Annotation,
  ComparisonOperator,
  Condition,
  Effect,
  Expression,
  PatternElement,
  Policy,
  ResourceScope,
  SetMethod,
  SourceSpan,
} from './ast';
import { PolicyParseError } from './errors';
import { SourceText, tokenize, type Token } from './lexer';

// Cedar refuses these as attribute names after `.` and `has`; so must we, to stay a subset.
const RESERVED = new Set(['true', 'false', 'if', 'then', 'else', 'in', 'like', 'has', 'is', '__cedar']);
const COMPARISONS: ReadonlySet<string> = new Set<ComparisonOperator>(['==', '!=', '<', '<=', '>', '>=']);
const METHODS: ReadonlySet<string> = new Set<SetMethod>(['contains', 'containsAll', 'containsAny', 'isEmpty']);
// Cedar refuses a fifth `!` in a row.
const MAX_NEGATIONS = 4;
// Bounds recursion so hostile input gets a parse error, not a stack overflow.
const MAX_NESTING = 200;
// Bounds the tree depth (long `&&`/`||` chains nest too), since validation, compilation and
// evaluation recurse over it.
const MAX_TREE_DEPTH = 1000;

/**
 * Parses a policy document (any number of policies) into syntax trees. Throws `PolicyParseError`
 * (code `POLICY_SYNTAX_ERROR`) at the first problem, with its line and column.
 */
export function parsePolicies(text: string): Policy[] {
  const source = new SourceText(text);
  return new Parser(source, tokenize(source)).policies();
}

const describe = (token: Token): string =>
  token.kind === 'end' ? 'the end of the text' : token.kind === 'string' ? `"${token.text}"` : `\`${token.text}\``;

class Parser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly source: SourceText,
    private readonly tokens: readonly Token[],
  ) {}

  policies(): Policy[] {
    const policies: Policy[] = [];
    while (this.peek().kind !== 'end') policies.push(this.policy(policies.length));
    return policies;
  }

  // ---- token helpers ----

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }

  private is(text: string, ahead = 0): boolean {
    const token = this.peek(ahead);
    return (token.kind === 'punctuation' || token.kind === 'identifier') && token.text === text;
  }

  private fail(reason: string, span: SourceSpan = this.peek().span): never {
    throw new PolicyParseError(reason, span);
  }

  private expect(text: string, where: string): Token {
    if (!this.is(text)) this.fail(`expected \`${text}\` ${where}, found ${describe(this.peek())}`);
    return this.next();
  }

  private expectKind(kind: TokenKind, what: string, where: string): Token {
    if (this.peek().kind !== kind) this.fail(`expected ${what} ${where}, found ${describe(this.peek())}`);
    return this.next();
  }

  private spanFrom(start: SourceSpan): SourceSpan {
    const previous = this.tokens[this.index - 1] ?? this.peek();
    return { start: start.start, end: previous.span.end };
  }

  // ---- policies ----

  private policy(index: number): Policy {
    const start = this.peek().span;
    const annotations: Annotation[] = [];
    while (this.is('@')) {
      const annotation = this.annotation();
      if (annotations.some((a) => a.name === annotation.name)) {
        this.fail(`duplicate annotation \`@${annotation.name}\`; keep one`, annotation.span);
      }
      annotations.push(annotation);
    }
    const effectToken = this.peek();
    if (!this.is('permit') && !this.is('forbid')) {
      this.fail(`expected \`permit\` or \`forbid\` to start a policy, found ${describe(effectToken)}`);
    }
    const effect = this.next().text as Effect;
    this.expect('(', `after \`${effect}\``);
    this.principalScope();
    this.expect(',', 'after the principal scope');
    const action = this.actionScope();
    this.expect(',', 'after the action scope');
    const resource = this.resourceScope();
    if (this.is(',') && this.is(')', 1)) this.next(); // Cedar tolerates a trailing comma here.
    this.expect(')', 'after the resource scope');
    const conditions: Condition[] = [];
    while (this.is('when') || this.is('unless')) conditions.push(this.condition());
    if (this.peek().kind === 'identifier') {
      this.fail(`expected \`when\`, \`unless\` or \`;\` after the policy scope, found ${describe(this.peek())}`);
    }
    this.expect(';', 'to end the policy');
    const idAnnotation = annotations.find((a) => a.name === 'id');
    return {
      id: idAnnotation?.value ?? `policy${index}`,
      idSpan: idAnnotation?.span ?? effectToken.span,
      annotations,
      effect,
      action,
      resource,
      conditions,
      span: this.spanFrom(start),
    };
  }

  private annotation(): Annotation {
    const at = this.next();
    const name = this.expectKind('identifier', 'an annotation name', 'after `@`');
    let value = '';
    if (this.is('(')) {
      this.next();
      const literal = this.expectKind('string', 'a string', `as the value of \`@${name.text}\``);
      value = this.unescape(literal, false);
      this.expect(')', `after the value of \`@${name.text}\``);
    } else if (name.text === 'id') {
      this.fail('`@id` needs a value, like `@id("eu-only")`', name.span);
    }
    return { name: name.text, value, span: this.spanFrom(at.span) };
  }

  private principalScope(): void {
    this.expect('principal', 'as the first scope element');
    if (this.is('==') || this.is('in') || this.is('is')) {
      this.fail('principal constraints are not supported; write `principal` and test its attributes in a `when` clause');
    }
  }

  private actionScope(): ActionScope {
    this.expect('action', 'as the second scope element');
    if (this.is('==')) {
      this.next();
      return { kind: 'eq', action: this.actionReference() };
    }
    if (this.is('in')) {
      this.next();
      if (!this.is('[')) return { kind: 'in', actions: [this.actionReference()] };
      this.next();
      const actions: string[] = [];
      while (!this.is(']')) {
        actions.push(this.actionReference());
        if (!this.is(']')) this.expect(',', 'between actions');
      }
      this.next();
      return { kind: 'in', actions };
    }
    return { kind: 'any' };
  }

  private actionReference(): string {
    const type = this.peek();
    if (!this.is('Action')) this.fail(`expected an action like \`Action::"use_model"\`, found ${describe(type)}`);
    this.next();
    this.expect('::', 'after `Action`');
    return this.unescape(this.expectKind('string', 'the quoted action name', 'after `Action::`'), false);
  }

  private resourceScope(): ResourceScope {
    this.expect('resource', 'as the third scope element');
    if (this.is('is')) {
      this.next();
      const type = this.expectKind('identifier', 'an entity type', 'after `resource is`');
      if (this.is('::')) this.fail('namespaced entity types are not supported; use a plain type like `Model`');
      if (this.is('in')) this.fail('`resource is … in …` is not supported; test resource attributes in a `when` clause');
      return { kind: 'is', entityType: type.text };
    }
    if (this.is('==') || this.is('in')) {
      this.fail('resource constraints other than `resource is Type` are not supported; test resource attributes in a `when` clause');
    }
    return { kind: 'any' };
  }

  private condition(): Condition {
    const keyword = this.next();
    this.expect('{', `after \`${keyword.text}\``);
    if (this.is('}')) this.fail(`a \`${keyword.text}\` clause cannot be empty`);
    const body = this.expression();
    if (treeDepth(body) > MAX_TREE_DEPTH) this.fail(`condition is too complex (more than ${MAX_TREE_DEPTH} levels); split it into several policies`, body.span);
    this.expect('}', `to close the \`${keyword.text}\` clause`);
    return { kind: keyword.text as 'when' | 'unless', body, span: this.spanFrom(keyword.span) };
  }

  // ---- expressions (Cedar's grammar and precedence) ----

  private expression(): Expression {
    if (++this.depth > MAX_NESTING) this.fail(`expression nested more than ${MAX_NESTING} levels deep; simplify it`);
    try {
      return this.expressionBody();
    } finally {
      this.depth--;
    }
  }

  private expressionBody(): Expression {
    if (!this.is('if')) return this.or();
    const start = this.next().span;
    const condition = this.expression();
    this.expect('then', 'after the `if` condition');
    const then = this.expression();
    this.expect('else', 'after the `then` branch');
    const otherwise = this.expression();
    return { kind: 'if', condition, then, else: otherwise, span: this.spanFrom(start) };
  }

  private or(): Expression {
    let left = this.and();
    while (this.is('||')) {
      this.next();
      const right = this.and();
      left = { kind: 'or', left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private and(): Expression {
    let left = this.relation();
    while (this.is('&&')) {
      this.next();
      const right = this.relation();
      left = { kind: 'and', left, right, span: { start: left.span.start, end: right.span.end } };
    }
    return left;
  }

  private relation(): Expression {
    const left = this.unary();
    let result: Expression = left;
    const operator = this.peek();
    if (operator.kind === 'punctuation' && COMPARISONS.has(operator.text)) {
      this.next();
      const right = this.unary();
      result = { kind: 'compare', operator: operator.text as ComparisonOperator, left, right, span: { start: left.span.start, end: right.span.end } };
    } else if (this.is('has')) {
      this.next();
      const attribute = this.attributeName('after `has`');
      if (this.is('.')) this.fail('nested `has` (`has a.b`) is not supported: attributes are not records');
      result = { kind: 'has', object: left, attribute, span: this.spanFrom(left.span) };
    } else if (this.is('like')) {
      this.next();
      const pattern = this.expectKind('string', 'a quoted pattern', 'after `like`');
      result = { kind: 'like', subject: left, pattern: this.pattern(pattern), span: this.spanFrom(left.span) };
    } else if (this.is('in')) {
      this.fail('`in` (entity hierarchy) is not supported in conditions; use `.contains()` on a set');
    } else if (this.is('is')) {
      this.fail('`is` is only supported in the resource scope (`resource is Model`)');
    } else if (this.is('+') || this.is('-') || this.is('*')) {
      this.fail('arithmetic is not supported in policies');
    }
    const after = this.peek();
    if ((after.kind === 'punctuation' && COMPARISONS.has(after.text)) || this.is('has') || this.is('like')) {
      this.fail(`\`${after.text}\` cannot follow another comparison; add parentheses to make the order explicit`);
    }
    return result;
  }

  private unary(): Expression {
    if (this.is('-')) {
      const minus = this.next();
      const digits = this.peek();
      if (digits.kind !== 'integer' || digits.span.start.offset !== minus.span.end.offset) {
        this.fail('`-` is only supported directly before a number (arithmetic is not supported)', minus.span);
      }
      this.next();
      return this.long(`-${digits.text}`, this.spanFrom(minus.span));
    }
    if (!this.is('!')) return this.member();
    const start = this.peek().span;
    let count = 0;
    while (this.is('!')) {
      this.next();
      if (++count > MAX_NEGATIONS) this.fail(`at most ${MAX_NEGATIONS} \`!\` in a row; use parentheses`, this.tokens[this.index - 1]?.span);
    }
    let operand = this.member();
    for (let i = 0; i < count; i++) operand = { kind: 'not', operand, span: { start: start.start, end: operand.span.end } };
    return operand;
  }

  private member(): Expression {
    let object = this.primary();
    for (;;) {
      if (this.is('.')) {
        this.next();
        const name = this.peek();
        if (name.kind !== 'identifier') this.fail(`expected an attribute or method name after \`.\`, found ${describe(name)}`);
        if (this.is('(', 1)) {
          this.next();
          object = this.methodCall(object, name.text);
          continue;
        }
        const attribute = this.attributeName('after `.`');
        object = { kind: 'attribute', object, attribute, span: this.spanFrom(object.span) };
      } else if (this.is('[')) {
        this.next();
        const name = this.unescape(this.expectKind('string', 'a quoted attribute name', 'after `[`'), false);
        this.expect(']', 'after the attribute name');
        object = { kind: 'attribute', object, attribute: name, span: this.spanFrom(object.span) };
      } else {
        return object;
      }
    }
  }

  private methodCall(receiver: Expression, name: string): Expression {
    const nameToken = this.tokens[this.index - 1] as Token;
    if (!METHODS.has(name)) {
      this.fail(`unknown method \`${name}\`; supported: contains, containsAll, containsAny, isEmpty`, nameToken.span);
    }
    this.next(); // (
    const method = name as SetMethod;
    let argument: Expression | undefined;
    if (method === 'isEmpty') {
      this.expect(')', '`isEmpty` takes no argument;');
    } else {
      if (this.is(')')) this.fail(`\`${method}\` takes one argument`);
      argument = this.expression();
      this.expect(')', `after the argument of \`${method}\``);
    }
    return { kind: 'method', method, receiver, argument, span: this.spanFrom(receiver.span) };
  }

  private primary(): Expression {
    const token = this.peek();
    switch (token.kind) {
      case 'integer':
        this.next();
        return this.long(token.text, token.span);
      case 'string':
        this.next();
        return { kind: 'string', value: this.unescape(token, false), span: token.span };
      case 'identifier': {
        if (token.text === 'true' || token.text === 'false') {
          this.next();
          return { kind: 'bool', value: token.text === 'true', span: token.span };
        }
        if (token.text === 'if') {
          this.fail('an `if` expression needs parentheses here');
        }
        if (RESERVED.has(token.text)) this.fail(`expected a value, found ${describe(token)}`);
        this.next();
        if (this.is('::')) this.fail('entity references are only supported in the action scope', token.span);
        if (this.is('(')) this.fail(`function calls (\`${token.text}(…)\`) are not supported`, token.span);
        return { kind: 'variable', name: token.text, span: token.span };
      }
      case 'punctuation':
        if (token.text === '(') {
          this.next();
          const inner = this.expression();
          this.expect(')', 'to close the parenthesis');
          return inner;
        }
        if (token.text === '[') return this.setLiteral();
        if (token.text === '{') this.fail('record literals are not supported');
        return this.fail(`expected a value, found ${describe(token)}`);
      default:
        return this.fail(`expected a value, found ${describe(token)}`);
    }
  }

  private setLiteral(): Expression {
    const start = this.next().span;
    const elements: Expression[] = [];
    while (!this.is(']')) {
      elements.push(this.expression());
      if (!this.is(']')) this.expect(',', 'between set elements');
    }
    this.next();
    return { kind: 'set', elements, span: this.spanFrom(start) };
  }

  private long(text: string, span: SourceSpan): Expression {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) {
      this.fail(`number ${text} is out of range (at most ${Number.MAX_SAFE_INTEGER} in magnitude)`, span);
    }
    return { kind: 'long', value: value === 0 ? 0 : value, span };
  }

  private attributeName(where: string): string {
    const token = this.peek();
    if (token.kind === 'string') {
      this.next();
      return this.unescape(token, false);
    }
    if (token.kind !== 'identifier') this.fail(`expected an attribute name ${where}, found ${describe(token)}`);
    if (RESERVED.has(token.text)) {
      this.fail(`\`${token.text}\` is a reserved word; write the attribute as a string, like ["${token.text}"]`);
    }
    this.next();
    return token.text;
  }

  private pattern(token: Token): PatternElement[] {
    const elements: PatternElement[] = [];
    let literal = '';
    const raw = token.text;
    for (let i = 0; i < raw.length; i++) {
      if (raw.charAt(i) === '*') {
        if (literal !== '') elements.push({ kind: 'literal', text: literal });
        literal = '';
        // Consecutive wildcards mean the same as one.
        if (elements.at(-1)?.kind !== 'wildcard') elements.push({ kind: 'wildcard' });
      } else if (raw.charAt(i) === '\\') {
        const [text, length] = this.escape(raw, i, token, true);
        literal += text;
        i += length - 1;
      } else {
        literal += raw.charAt(i);
      }
    }
    if (literal !== '') elements.push({ kind: 'literal', text: literal });
    return elements;
  }

  private unescape(token: Token, inPattern: boolean): string {
    const raw = token.text;
    if (!raw.includes('\\')) return raw;
    let result = '';
    for (let i = 0; i < raw.length; i++) {
      if (raw.charAt(i) !== '\\') {
        result += raw.charAt(i);
        continue;
      }
      const [text, length] = this.escape(raw, i, token, inPattern);
      result += text;
      i += length - 1;
    }
    return result;
  }

  /** Decodes the escape at `raw[i]` (a backslash); returns the text and the escape's length. */
  private escape(raw: string, i: number, token: Token, inPattern: boolean): [string, number] {
    const at = token.span.start.offset + 1 + i;
    const bad = (reason: string, length: number): never =>
      this.fail(reason, this.source.span(at, at + length));
    const c = raw.charAt(i + 1);
    switch (c) {
      case 'n':
        return ['\n', 2];
      case 'r':
        return ['\r', 2];
      case 't':
        return ['\t', 2];
      case '0':
        return ['\0', 2];
      case '\\':
      case '"':
      case "'":
        return [c, 2];
      case '*':
        if (inPattern) return ['*', 2];
        return bad('`\\*` is only valid in a `like` pattern', 2);
      case 'x': {
        const hex = raw.slice(i + 2, i + 4);
        if (!/^[0-7][0-9A-Fa-f]$/.test(hex)) return bad('`\\x` needs two hex digits from 00 to 7F', 2 + hex.length);
        return [String.fromCharCode(parseInt(hex, 16)), 4];
      }
      case 'u': {
        const match = /^\{([0-9A-Fa-f]{1,6})\}/.exec(raw.slice(i + 2));
        const codePoint = match ? parseInt(match[1] ?? '', 16) : NaN;
        if (!match || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) {
          return bad('`\\u` needs a Unicode scalar value in braces, like `\\u{e9}`', 2);
        }
        return [String.fromCodePoint(codePoint), 2 + match[0].length];
      }
      default:
        return bad(`\`\\${c}\` is not a valid escape; use \`\\\\\` for a backslash`, 2);
    }
  }
}

type TokenKind = Token['kind'];

function childrenOf(expression: Expression): readonly Expression[] {
  switch (expression.kind) {
    case 'set':
      return expression.elements;
    case 'attribute':
    case 'has':
      return [expression.object];
    case 'compare':
    case 'and':
    case 'or':
      return [expression.left, expression.right];
    case 'not':
      return [expression.operand];
    case 'method':
      return expression.argument ? [expression.receiver, expression.argument] : [expression.receiver];
    case 'like':
      return [expression.subject];
    case 'if':
      return [expression.condition, expression.then, expression.else];
    default:
      return [];
  }
}

/** Depth of the tree, measured without recursion (the tree may be too deep to recurse over). */
function treeDepth(root: Expression): number {
  let deepest = 0;
  const pending: Array<[Expression, number]> = [[root, 1]];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const [expression, depth] = item;
    deepest = Math.max(deepest, depth);
    for (const child of childrenOf(expression)) pending.push([child, depth + 1]);
  }
  return deepest;
}
