// WinDbg's MASM expressions: numbers are hex by default (`0n` decimal, `0x`
// hex, `0y` binary), `@reg` (or a bare register name), symbols
// (`module!name`, `name`), `poi(addr)` (the pointer at addr), `+ - * /`,
// unary minus and parentheses. Errors read as WinDbg's ("Couldn't resolve
// error at 'foo'", "Memory access error at ')'").

export interface ExpressionContext {
  register(name: string): number | undefined;
  symbol(name: string): number | undefined;
  /** The 32-bit value at `address`, or undefined when it is not resident. */
  readPointer(address: number): number | undefined;
}

export class ExpressionError extends Error {
  constructor(message: string) { super(message); this.name = 'ExpressionError'; }
}

const TOKEN = /\s*(?:(0n[0-9]+|0x[0-9a-f]+|0y[01]+|[0-9a-f]+(?![\w!-])|[a-z_][\w.-]*![\w.$?@*]+|@?[a-z_.$?][\w.$?@]*|[0-9][\w]*)|([-+*/()]))/iy;

/** Evaluates `text` to an unsigned 32-bit value. */
export function evaluate(text: string, context: ExpressionContext): number {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  const trimmed = text.trim();
  while (TOKEN.lastIndex < trimmed.length) {
    const start = TOKEN.lastIndex;
    const match = TOKEN.exec(trimmed);
    if (!match) throw new ExpressionError(`Syntax error at '${trimmed.slice(start)}'`);
    tokens.push(match[1] ?? match[2]!);
  }
  if (!tokens.length) throw new ExpressionError('Syntax error: an expression is needed');
  let position = 0;
  const peek = (): string | undefined => tokens[position];
  const next = (): string => {
    const token = tokens[position++];
    if (token === undefined) throw new ExpressionError(`Syntax error at '${trimmed}'`);
    return token;
  };

  const primary = (): number => {
    const token = next();
    if (token === '(') {
      const value = sum();
      if (next() !== ')') throw new ExpressionError(`Syntax error at '${trimmed}': ')' expected`);
      return value;
    }
    if (token === '-') return -primary();
    if (token.toLowerCase() === 'poi' && peek() === '(') {
      next();
      const address = sum();
      if (next() !== ')') throw new ExpressionError(`Syntax error at '${trimmed}': ')' expected`);
      const value = context.readPointer(address >>> 0);
      if (value === undefined) throw new ExpressionError(`Memory access error at '${(address >>> 0).toString(16).padStart(8, '0')}'`);
      return value;
    }
    return atom(token, context);
  };
  const product = (): number => {
    let value = primary();
    while (peek() === '*' || peek() === '/') {
      const op = next();
      const right = primary();
      if (op === '/' && right === 0) throw new ExpressionError('Divide by zero error');
      value = op === '*' ? Math.imul(value, right) : Math.trunc(value / right);
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (peek() === '+' || peek() === '-') value = next() === '+' ? value + product() : value - product();
    return value;
  };
  const value = sum();
  if (position !== tokens.length) throw new ExpressionError(`Syntax error at '${tokens.slice(position).join(' ')}'`);
  return value >>> 0;
}

function atom(token: string, context: ExpressionContext): number {
  const lower = token.toLowerCase();
  if (lower.startsWith('0n')) return Number.parseInt(lower.slice(2), 10);
  if (lower.startsWith('0y')) return Number.parseInt(lower.slice(2), 2);
  if (lower.startsWith('@')) {
    const value = context.register(lower.slice(1));
    if (value === undefined) throw new ExpressionError(`Bad register error at '${token}'`);
    return value;
  }
  if (/^(0x)?[0-9a-f]+$/.test(lower)) return Number.parseInt(lower.replace(/^0x/, ''), 16);
  const symbol = context.symbol(token);
  if (symbol !== undefined) return symbol;
  const register = context.register(lower);
  if (register !== undefined) return register;
  throw new ExpressionError(`Couldn't resolve error at '${token}'`);
}
