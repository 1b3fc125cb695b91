import type { SourcePosition, SourceSpan } from './ast';
import { PolicyParseError } from './errors';

export type TokenKind = 'identifier' | 'integer' | 'string' | 'punctuation' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** The token's text; for strings the raw text between the quotes, escapes not yet applied. */
  readonly text: string;
  readonly span: SourceSpan;
}

/** Maps offsets to 1-based line and column, once per text. */
export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  positionAt(offset: number): SourcePosition {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if ((this.lineStarts[middle] ?? 0) <= offset) low = middle;
      else high = middle - 1;
    }
    return { offset, line: low + 1, column: offset - (this.lineStarts[low] ?? 0) + 1 };
  }

  span(start: number, end: number): SourceSpan {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }
}

// Longest first, so `<=` wins over `<`.
const PUNCTUATION = ['::', '==', '!=', '<=', '>=', '&&', '||', '(', ')', '[', ']', '{', '}', ',', ';', '.', '<', '>', '!', '@', '-'];

const isIdentifierStart = (c: string): boolean => /[A-Za-z_]/.test(c);
const isIdentifierPart = (c: string): boolean => /[A-Za-z0-9_]/.test(c);
const isDigit = (c: string): boolean => c >= '0' && c <= '9';

/** Splits policy text into tokens. Whitespace and `//` comments are skipped, as in Cedar. */
export function tokenize(source: SourceText): Token[] {
  const text = source.text;
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && text.charAt(i + 1) === '/') {
      while (i < text.length && text.charAt(i) !== '\n') i++;
      continue;
    }
    const start = i;
    if (isIdentifierStart(c)) {
      while (i < text.length && isIdentifierPart(text.charAt(i))) i++;
      tokens.push({ kind: 'identifier', text: text.slice(start, i), span: source.span(start, i) });
      continue;
    }
    if (isDigit(c)) {
      while (i < text.length && isDigit(text.charAt(i))) i++;
      if (i < text.length && isIdentifierPart(text.charAt(i))) {
        throw new PolicyParseError(`malformed number \`${text.slice(start, i + 1)}\`: numbers are decimal digits only`, source.span(start, i + 1));
      }
      tokens.push({ kind: 'integer', text: text.slice(start, i), span: source.span(start, i) });
      continue;
    }
    if (c === '"') {
      i++;
      while (i < text.length && text.charAt(i) !== '"') {
        i += text.charAt(i) === '\\' ? 2 : 1;
      }
      if (i >= text.length) {
        throw new PolicyParseError('unterminated string: add the closing `"`', source.span(start, text.length));
      }
      i++;
      tokens.push({ kind: 'string', text: text.slice(start + 1, i - 1), span: source.span(start, i) });
      continue;
    }
    const punctuation = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (punctuation === undefined) {
      const character = String.fromCodePoint(text.codePointAt(i) ?? 0);
      throw new PolicyParseError(`unexpected character \`${character}\`${hintFor(character)}`, source.span(i, i + character.length));
    }
    i += punctuation.length;
    tokens.push({ kind: 'punctuation', text: punctuation, span: source.span(start, i) });
  }
  tokens.push({ kind: 'end', text: '', span: source.span(text.length, text.length) });
  return tokens;
}

function hintFor(character: string): string {
  switch (character) {
    case '=':
      return '; use `==` to compare';
    case '&':
      return '; use `&&` for "and"';
    case '|':
      return '; use `||` for "or"';
    case "'":
      return '; strings use double quotes';
    case '+':
    case '*':
    case '/':
    case '%':
      return '; arithmetic is not supported in policies';
    case ':':
      return '; `:` only appears in `Action::"…"` (record literals are not supported)';
    default:
      return '';
  }
}
