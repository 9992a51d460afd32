import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonSyntaxError } from './json-syntax.js';

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

describe('findJsonSyntaxError', () => {
  it('agrees with JSON.parse on what is JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.constantFrom(0, 2), (value, indent) => {
        expect(findJsonSyntaxError(JSON.stringify(value, null, indent))).toBeUndefined();
      }),
    );
    // Near misses: JSON texts with one character removed, doubled or replaced.
    fc.assert(
      fc.property(
        fc.json(),
        fc.nat(),
        fc.constantFrom('', ',', '}', ']', '"', ':', ' ', '\n', 'x', '\\', '0'),
        (text, at, insert) => {
          const i = at % (text.length + 1);
          for (const broken of [
            text.slice(0, i) + text.slice(i + 1),
            text.slice(0, i) + insert + text.slice(i),
          ]) {
            expect(findJsonSyntaxError(broken) === undefined, JSON.stringify(broken)).toBe(parses(broken));
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('points at the first wrong character, 1-based line and column', () => {
    expect(findJsonSyntaxError('{\n  "a": 1\n  "b": 2\n}')).toEqual({
      offset: 13,
      line: 3,
      column: 3,
      problem: "expected ',' or '}'",
    });
    expect(findJsonSyntaxError('')).toMatchObject({ offset: 0, line: 1, column: 1 });
    expect(findJsonSyntaxError('{"a": "x\ny"}')).toMatchObject({ line: 1, column: 9 });
    expect(findJsonSyntaxError('{"a": 01}')).toMatchObject({ offset: 7, problem: "expected ',' or '}'" });
  });

  it('survives deep nesting without recursion', () => {
    expect(findJsonSyntaxError('['.repeat(200_000) + ']'.repeat(200_000))).toBeUndefined();
    expect(findJsonSyntaxError('['.repeat(200_000))).toMatchObject({ offset: 200_000 });
  });
});
