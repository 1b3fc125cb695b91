import type { PatternElement } from './ast';
import type { AttributeValue } from './request';

/** A value during evaluation. Sets are arrays (order and duplicates carry no meaning). */
export type Value = string | number | boolean | readonly Value[];

export type ValueType = 'string' | 'long' | 'bool' | 'set';

export function typeOfValue(value: Value | AttributeValue): ValueType {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'long';
    case 'boolean':
      return 'bool';
    default:
      return 'set';
  }
}

/** Cedar equality: values of different types are unequal (not an error); sets compare as sets. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b)) return false;
  const left = a as readonly Value[];
  const right = b as readonly Value[];
  return left.every((x) => setHas(right, x)) && right.every((y) => setHas(left, y));
}

export function setHas(set: readonly Value[], value: Value): boolean {
  if (typeof value !== 'object') return set.includes(value);
  return set.some((element) => valuesEqual(element, value));
}

/** Compiles a `like` pattern into a matcher: `*` matches any run of characters, including none. */
export function compilePattern(pattern: readonly PatternElement[]): (text: string) => boolean {
  if (pattern.every((element) => element.kind === 'literal')) {
    const exact = pattern.map((element) => (element.kind === 'literal' ? element.text : '')).join('');
    return (text) => text === exact;
  }
  const first = pattern[0];
  const last = pattern.at(-1);
  const prefix = first?.kind === 'literal' ? first.text : '';
  const suffix = last?.kind === 'literal' && pattern.length > 1 ? last.text : '';
  const middle = pattern
    .slice(first?.kind === 'literal' ? 1 : 0, last?.kind === 'literal' ? -1 : undefined)
    .flatMap((element) => (element.kind === 'literal' ? [element.text] : []));
  return (text) => {
    if (text.length < prefix.length + suffix.length) return false;
    if (!text.startsWith(prefix) || !text.endsWith(suffix)) return false;
    // Leftmost placement of each middle piece is optimal for a glob with only `*`.
    let position = prefix.length;
    const limit = text.length - suffix.length;
    for (const piece of middle) {
      const found = text.indexOf(piece, position);
      if (found < 0 || found + piece.length > limit) return false;
      position = found + piece.length;
    }
    return true;
  };
}
