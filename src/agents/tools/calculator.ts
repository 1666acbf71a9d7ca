/**
 * The `calculator` tool: a safe arithmetic evaluator. The input comes from users (through an
 * agent), so it is never handed to eval/Function: a tokenizer and a Pratt parser accept only
 * numbers, operators, parentheses, a few constants and a fixed table of functions, and compute
 * the value while parsing. Every limit exists so that hostile input costs a bounded amount of
 * work: the length cap bounds tokens, the nesting cap bounds recursion.
 */
import { z } from 'zod';
import { defineTool } from '../../engine/define-agent.js';

export const MAX_EXPRESSION_LENGTH = 500;
/** Recursion depth is what a hostile "((((…" or "----…" would exhaust; 64 is plenty for people. */
export const MAX_NESTING = 64;

/** A parse or evaluation error; `position` is 1-based, as a person counts columns. */
export class CalculatorError extends Error {
  readonly position: number | undefined;

  /** Reads as "<what> at position <n>: <hint>", so the position is always in the same place. */
  constructor(message: string, position?: number, hint?: string) {
    super(`${message}${position === undefined ? '' : ` at position ${position}`}${hint ? `: ${hint}` : ''}`);
    this.name = 'CalculatorError';
    this.position = position;
  }
}

type TokenKind = 'number' | 'name' | 'operator' | '(' | ')' | ',' | 'end';

interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based column of the token's first character. */
  position: number;
}

const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const WHITESPACE = /\s+/y;
/** `**` is listed before `*` so the longer operator wins. */
const OPERATORS = ['**', '+', '-', '*', '/', '%', '^'] as const;

function matchAt(pattern: RegExp, source: string, index: number): string | undefined {
  pattern.lastIndex = index;
  return pattern.exec(source)?.[0];
}

function tokenAt(source: string, index: number): Token {
  const position = index + 1;
  const char = source.charAt(index);
  if (char === '(' || char === ')' || char === ',') return { kind: char, text: char, position };
  const operator = OPERATORS.find((op) => source.startsWith(op, index));
  if (operator) return { kind: 'operator', text: operator, position };
  const number = matchAt(NUMBER, source, index);
  if (number) return { kind: 'number', text: number, position };
  const name = matchAt(NAME, source, index);
  if (name) return { kind: 'name', text: name, position };
  // Whole code point, so an emoji is reported as itself rather than half a surrogate pair.
  throw new CalculatorError(`Unexpected character "${String.fromCodePoint(source.codePointAt(index) ?? 0)}"`, position);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < source.length) {
    const space = matchAt(WHITESPACE, source, index);
    if (space) {
      index += space.length;
      continue;
    }
    const token = tokenAt(source, index);
    tokens.push(token);
    index += token.text.length;
  }
  return tokens;
}

/**
 * A lookup table that holds only its own entries. Names come from users, and a plain object
 * literal also answers `constructor`, `__proto__`, `toString`… from Object.prototype: a
 * null-prototype copy has nothing but what is written here.
 */
function table<T>(entries: Record<string, T>): Readonly<Record<string, T | undefined>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

const CONSTANTS = table({ pi: Math.PI, e: Math.E });

interface MathFunction {
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Returns why the arguments are unacceptable, beyond their count. */
  check?(args: readonly number[]): string | undefined;
  apply(args: readonly number[]): number;
}

function unary(fn: (x: number) => number): MathFunction {
  return { minArgs: 1, maxArgs: 1, apply: (args) => fn(args[0] ?? Number.NaN) };
}

/** round(x, digits?) rounds half up like Math.round, optionally to a number of decimals. */
const round: MathFunction = {
  minArgs: 1,
  maxArgs: 2,
  check: ([, digits = 0]) => (Number.isInteger(digits) && digits >= 0 && digits <= 15 ? undefined : 'round() digits must be an integer from 0 to 15'),
  apply: ([x = Number.NaN, digits = 0]) => Math.round(x * 10 ** digits) / 10 ** digits,
};

const FUNCTIONS = table<MathFunction>({
  sqrt: unary(Math.sqrt),
  abs: unary(Math.abs),
  round,
  floor: unary(Math.floor),
  ceil: unary(Math.ceil),
  min: { minArgs: 1, maxArgs: Infinity, apply: (args) => Math.min(...args) },
  max: { minArgs: 1, maxArgs: Infinity, apply: (args) => Math.max(...args) },
  log: unary(Math.log),
  ln: unary(Math.log),
  log10: unary(Math.log10),
  log2: unary(Math.log2),
  exp: unary(Math.exp),
  sin: unary(Math.sin),
  cos: unary(Math.cos),
  tan: unary(Math.tan),
});

const KNOWN_NAMES = [...Object.keys(CONSTANTS), ...Object.keys(FUNCTIONS)].join(', ');

/** Binding powers: how tightly an infix operator holds its operands. */
const INFIX_POWER = table({ '+': 10, '-': 10, '*': 20, '/': 20, '%': 20, '^': 40, '**': 40 });
/** Unary minus binds looser than power, as in mathematics: -2^2 is -4. */
const PREFIX_POWER = 30;

/** Rejects infinities and NaN where they arise, so an error names the operation that failed. */
function finite(value: number, what: string, position: number): number {
  if (!Number.isFinite(value)) throw new CalculatorError(`${what} is not a finite number`, position);
  return value;
}

function applyInfix(operator: string, left: number, right: number, position: number): number {
  if ((operator === '/' || operator === '%') && right === 0) throw new CalculatorError('Division by zero', position);
  return finite(arithmetic(operator, left, right), `${String(left)} ${operator} ${String(right)}`, position);
}

function arithmetic(operator: string, left: number, right: number): number {
  switch (operator) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    case '%':
      return left % right;
    default:
      return left ** right;
  }
}

/** A Pratt parser that evaluates as it parses: there is no tree to keep, only a number. */
class Parser {
  readonly #tokens: readonly Token[];
  /** Stands after the last token, so running out of input reads as one more token to report. */
  readonly #end: Token;
  #index = 0;

  constructor(tokens: readonly Token[], sourceLength: number) {
    this.#tokens = tokens;
    this.#end = { kind: 'end', text: '', position: sourceLength + 1 };
  }

  parse(): number {
    const value = this.#expression(0, 0);
    const next = this.#peek();
    if (next.kind !== 'end') throw unexpected(next);
    return value;
  }

  #peek(): Token {
    return this.#tokens[this.#index] ?? this.#end;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'end') this.#index += 1;
    return token;
  }

  #expect(kind: TokenKind): Token {
    const token = this.#next();
    if (token.kind !== kind) throw unexpected(token, kind === ')' ? 'expected ")"' : undefined);
    return token;
  }

  /** Parses operators binding tighter than `minPower`; `depth` counts the nesting so far. */
  #expression(minPower: number, depth: number): number {
    if (depth > MAX_NESTING) throw new CalculatorError(`Expression nests deeper than ${MAX_NESTING} levels`, this.#peek().position);
    let left = this.#prefix(depth);
    for (;;) {
      const token = this.#peek();
      const power = token.kind === 'operator' ? INFIX_POWER[token.text] : undefined;
      if (power === undefined || power <= minPower) return left;
      this.#next();
      const rightAssociative = token.text === '^' || token.text === '**';
      // Only the right-associative operator can recurse without bound ("2^2^2^…"), so only it
      // deepens; the left-associative ones recurse at most once per precedence level.
      const right = rightAssociative ? this.#expression(power - 1, depth + 1) : this.#expression(power, depth);
      left = applyInfix(token.text, left, right, token.position);
    }
  }

  #prefix(depth: number): number {
    const token = this.#next();
    switch (token.kind) {
      case 'number':
        return finite(Number(token.text), `The number ${token.text}`, token.position);
      case 'name':
        return this.#name(token, depth);
      case '(': {
        const value = this.#expression(0, depth + 1);
        this.#expect(')');
        return value;
      }
      case 'operator':
        if (token.text === '-' || token.text === '+') {
          const operand = this.#expression(PREFIX_POWER, depth + 1);
          return token.text === '-' ? -operand : operand;
        }
        throw unexpected(token);
      default:
        throw unexpected(token);
    }
  }

  #name(token: Token, depth: number): number {
    const name = token.text.toLowerCase();
    const constant = CONSTANTS[name];
    if (constant !== undefined) return constant;
    const fn = FUNCTIONS[name];
    if (!fn) throw unexpected(token, `unknown name; use ${KNOWN_NAMES}`);
    if (this.#peek().kind !== '(') throw unexpected(this.#peek(), `expected "(" after ${name}`);
    const args = this.#arguments(depth);
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      const wanted = fn.minArgs === fn.maxArgs ? String(fn.minArgs) : fn.maxArgs === Infinity ? `at least ${fn.minArgs}` : `${fn.minArgs} to ${fn.maxArgs}`;
      const plural = (fn.maxArgs === Infinity ? fn.minArgs : fn.maxArgs) === 1 ? '' : 's';
      throw new CalculatorError(`${name}() takes ${wanted} argument${plural}, got ${args.length}`, token.position);
    }
    const problem = fn.check?.(args);
    if (problem) throw new CalculatorError(problem, token.position);
    return finite(fn.apply(args), `${name}(${args.map(String).join(', ')})`, token.position);
  }

  #arguments(depth: number): number[] {
    this.#expect('(');
    const args: number[] = [];
    if (this.#peek().kind === ')') {
      this.#next();
      return args;
    }
    for (;;) {
      args.push(this.#expression(0, depth + 1));
      const separator = this.#next();
      if (separator.kind === ')') return args;
      if (separator.kind !== ',') throw unexpected(separator, 'expected "," or ")"');
    }
  }
}

function unexpected(token: Token, hint?: string): CalculatorError {
  const what = token.kind === 'end' ? 'Unexpected end of expression' : `Unexpected token "${token.text}"`;
  return new CalculatorError(what, token.position, hint);
}

/** Evaluates an arithmetic expression; throws CalculatorError with a position when it cannot. */
export function evaluate(expression: string): number {
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    throw new CalculatorError(`Expression is too long (${expression.length} characters; the limit is ${MAX_EXPRESSION_LENGTH})`);
  }
  if (expression.trim() === '') throw new CalculatorError('Expression is empty');
  const value = new Parser(tokenize(expression), expression.length).parse();
  return finite(value, 'The result', 1);
}

/** 12 significant digits hide binary floating-point noise: 0.1 + 0.2 reads "0.3". */
export function formatNumber(value: number): string {
  const rounded = Number(value.toPrecision(12));
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

export interface CalculatorResult {
  expression: string;
  value: number;
  formatted: string;
}

export const calculatorTool = defineTool({
  name: 'calculator',
  description:
    'Evaluates an arithmetic expression: + - * / % ^ (or **), parentheses, pi, e, and sqrt, abs, round, floor, ceil, min, max, log, log10, log2, exp, sin, cos, tan.',
  parameters: z.object({ expression: z.string().min(1).max(MAX_EXPRESSION_LENGTH) }),
  timeoutMs: 1_000,
  execute({ expression }): CalculatorResult {
    const value = evaluate(expression);
    return { expression, value, formatted: formatNumber(value) };
  },
});
