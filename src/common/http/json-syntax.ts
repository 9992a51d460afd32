/** Where a JSON text stops being JSON (RFC 8259), and why, in words a person can act on. */
export interface JsonSyntaxError {
  /** 0-based offset (UTF-16 code units) of the first character that is wrong. */
  offset: number;
  /** 1-based line and column of that character. */
  line: number;
  column: number;
  problem: string;
}

class Stop {
  constructor(
    readonly offset: number,
    readonly problem: string,
  ) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * Scans `text` as JSON without building anything and answers the first syntax error, or undefined
 * when it is valid JSON. Iterative (a stack of open containers), so deep nesting cannot overflow
 * the call stack. The answer never quotes the text: a body may hold a password.
 */
export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  try {
    scan(text);
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.offset);
    const line = before.split('\n').length;
    const column = err.offset - (before.lastIndexOf('\n') + 1) + 1;
    return { offset: err.offset, line, column, problem: err.problem };
  }
}

function scan(text: string): void {
  const n = text.length;
  const open: ('{' | '[')[] = [];
  let i = 0;
  let expectingValue = true;

  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const string = () => {
    const start = i;
    i++; // the opening quote
    for (;;) {
      if (i >= n) throw new Stop(start, 'a string is not closed (missing ")');
      const c = text[i]!;
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!HEX4.test(text.slice(i + 2, i + 6))) throw new Stop(i, 'a \\u escape needs four hex digits');
          i += 6;
        } else if (e !== undefined && ESCAPES.has(e)) i += 2;
        else throw new Stop(i, 'invalid escape sequence in a string');
        continue;
      }
      if (c < ' ')
        throw new Stop(i, 'a control character (such as a line break) inside a string must be escaped');
      i++;
    }
  };
  const propertyName = () => {
    skipSpace();
    if (text[i] !== '"') {
      throw new Stop(
        i,
        i >= n
          ? 'the body ends where a property name was expected'
          : 'expected a property name in double quotes',
      );
    }
    string();
    skipSpace();
    if (text[i] !== ':') throw new Stop(i, "expected ':' after the property name");
    i++;
  };

  for (;;) {
    skipSpace();
    if (expectingValue) {
      if (i >= n) throw new Stop(i, 'the body ends where a value was expected');
      const c = text[i]!;
      if (c === '{' || c === '[') {
        i++;
        skipSpace();
        if (text[i] === (c === '{' ? '}' : ']')) {
          i++;
          expectingValue = false;
          continue;
        }
        open.push(c);
        if (c === '{') propertyName();
        continue;
      }
      if (c === '"') string();
      else if (c === '-' || (c >= '0' && c <= '9')) {
        NUMBER.lastIndex = i;
        if (!NUMBER.exec(text)) throw new Stop(i, 'invalid number');
        i = NUMBER.lastIndex;
      } else {
        const literal = ['true', 'false', 'null'].find((w) => text.startsWith(w, i));
        if (!literal) {
          throw new Stop(
            i,
            'expected a value (an object, array, string in double quotes, number, true, false or null)',
          );
        }
        i += literal.length;
      }
      expectingValue = false;
      continue;
    }
    const top = open[open.length - 1];
    if (!top) {
      if (i < n) throw new Stop(i, 'unexpected text after the end of the JSON value');
      return;
    }
    const close = top === '{' ? '}' : ']';
    if (i >= n)
      throw new Stop(i, `the body ends inside ${top === '{' ? 'an object' : 'an array'} (missing ${close})`);
    if (text[i] === ',') {
      i++;
      if (top === '{') propertyName();
      expectingValue = true;
    } else if (text[i] === close) {
      i++;
      open.pop();
    } else {
      throw new Stop(i, `expected ',' or '${close}'`);
    }
  }
}
