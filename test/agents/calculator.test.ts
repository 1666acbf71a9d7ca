import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { CalculatorError, calculatorTool, evaluate, formatNumber } from 'agentwire/server';

const toolContext = { signal: new AbortController().signal, userId: 'user-1', runId: 'run-1' };

describe('calculator: precedence and associativity', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 * 3 ^ 2', 18],
    ['10 - 4 - 3', 3],
    ['100 / 10 / 5', 2],
    ['2 ^ 3 ^ 2', 512],
    ['2 ** 3 ** 2', 512],
    ['(2 ^ 3) ^ 2', 64],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['2 + 10 % 4 * 3', 8],
    ['17 * 23', 391],
  ])('%s = %d', (expression, expected) => {
    expect(evaluate(expression)).toBe(expected);
  });
});

describe('calculator: unary operators and numbers', () => {
  it.each([
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['2 ^ -1', 0.5],
    ['2 ** -2', 0.25],
    ['--3', 3],
    ['-+-3', 3],
    ['+5', 5],
    ['-(2 + 3) * 2', -10],
    ['1e3 + 2.5e-1', 1000.25],
    ['1E2', 100],
    ['.5 * 4', 2],
    ['3.', 3],
    ['  42  ', 42],
  ])('%s = %d', (expression, expected) => {
    expect(evaluate(expression)).toBe(expected);
  });
});

describe('calculator: constants and functions', () => {
  it.each([
    ['sqrt(144)', 12],
    ['sqrt(144) + 1', 13],
    ['abs(-3)', 3],
    ['round(2.5)', 3],
    ['round(3.14159, 2)', 3.14],
    ['floor(-1.5)', -2],
    ['ceil(1.2)', 2],
    ['min(3, 1, 2)', 1],
    ['max(1)', 1],
    ['max(1, 5, -2, 4)', 5],
    ['log(e)', 1],
    ['log10(1000)', 3],
    ['log2(8)', 3],
    ['exp(0)', 1],
    ['sin(0)', 0],
    ['cos(0)', 1],
    ['tan(0)', 0],
    ['sin(pi / 2)', 1],
    ['SQRT(4) * PI / pi', 2],
    ['max(sqrt(16), min(10, 2 ^ 3))', 8],
  ])('%s = %d', (expression, expected) => {
    expect(evaluate(expression)).toBeCloseTo(expected, 12);
  });
});

describe('calculator: errors', () => {
  it.each([
    ['2 + x', 'Unexpected token "x" at position 5'],
    ['1 +', 'Unexpected end of expression at position 4'],
    ['1 2', 'Unexpected token "2" at position 3'],
    ['1 + 2)', 'Unexpected token ")" at position 6'],
    ['(1 + 2', 'Unexpected end of expression at position 7: expected ")"'],
    ['2 $ 3', 'Unexpected character "$" at position 3'],
    ['2 ** * 3', 'Unexpected token "*" at position 6'],
    ['sqrt 4', 'Unexpected token "4" at position 6: expected "(" after sqrt'],
    ['min(1 2)', 'Unexpected token "2" at position 7: expected "," or ")"'],
    ['1 / 0', 'Division by zero at position 3'],
    ['5 % (2 - 2)', 'Division by zero at position 3'],
    ['sqrt(1, 2)', 'sqrt() takes 1 argument, got 2 at position 1'],
    ['min()', 'min() takes at least 1 argument, got 0 at position 1'],
    ['round(1, 2, 3)', 'round() takes 1 to 2 arguments, got 3 at position 1'],
    ['round(1, 0.5)', 'round() digits must be an integer from 0 to 15 at position 1'],
    ['sqrt(-1)', 'sqrt(-1) is not a finite number at position 1'],
    ['1 + log(0)', 'log(0) is not a finite number at position 5'],
    ['10 ^ 400', '10 ^ 400 is not a finite number at position 4'],
    ['1e400', 'The number 1e400 is not a finite number at position 1'],
    ['', 'Expression is empty'],
    ['   ', 'Expression is empty'],
  ])('%j fails with %j', (expression, message) => {
    expect(() => evaluate(expression)).toThrow(message);
  });

  it('reports positions as numbers on a CalculatorError, which is an Error', () => {
    try {
      evaluate('2 + x');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(CalculatorError);
      expect(error).toBeInstanceOf(Error);
      expect((error as CalculatorError).position).toBe(5);
    }
  });

  it('refuses input longer than 500 characters before parsing it', () => {
    expect(() => evaluate('1+'.repeat(250) + '1')).toThrow('Expression is too long (501 characters; the limit is 500)');
    expect(evaluate('1+'.repeat(249) + '1')).toBe(250);
  });

  it('refuses nesting deeper than 64 levels instead of exhausting the stack', () => {
    const nested = (n: number): string => `${'('.repeat(n)}1${')'.repeat(n)}`;
    expect(evaluate(nested(64))).toBe(1);
    expect(() => evaluate(nested(65))).toThrow(/nests deeper than 64 levels at position 66/);
    expect(() => evaluate(`${'-'.repeat(100)}1`)).toThrow(/nests deeper than 64 levels/);
    expect(() => evaluate(`${'sqrt('.repeat(80)}1${')'.repeat(80)}`)).toThrow(/nests deeper than 64 levels/);
  });
});

describe('calculator tool', () => {
  it('formats results without binary floating-point noise', async () => {
    const result = await calculatorTool.execute({ expression: '0.1 + 0.2' }, toolContext);
    expect(result).toEqual({ expression: '0.1 + 0.2', value: 0.30000000000000004, formatted: '0.3' });
  });

  it.each([
    [1 / 3, '0.333333333333'],
    [-0, '0'],
    [391, '391'],
    [1e21, '1e+21'],
    [-2.5, '-2.5'],
  ])('formatNumber(%d) is %s', (value, expected) => {
    expect(formatNumber(value)).toBe(expected);
  });

  it('validates its arguments with its schema', () => {
    expect(calculatorTool.parameters.safeParse({ expression: '1+1' }).success).toBe(true);
    expect(calculatorTool.parameters.safeParse({ expression: '' }).success).toBe(false);
    expect(calculatorTool.parameters.safeParse({ expression: 'x'.repeat(501) }).success).toBe(false);
    expect(calculatorTool.parameters.safeParse({}).success).toBe(false);
  });

  it('throws evaluation errors, for the dispatcher to report as status "error"', () => {
    expect(() => calculatorTool.execute({ expression: '1/0' }, toolContext)).toThrow('Division by zero');
  });
});

// Property tests: random integer expression trees, printed two ways, evaluated by the parser and by
// this test's own tree walk. The walk uses the same JavaScript operations in the same order, so
// the two must agree exactly, not approximately.
type Tree = { kind: 'num'; value: number } | { kind: 'neg'; operand: Tree } | { kind: 'bin'; op: BinaryOp; left: Tree; right: Tree };
type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^';

const trees = fc.letrec<{ tree: Tree; num: Tree; neg: Tree; bin: Tree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', maxDepth: 7 }, tie('num'), tie('neg'), tie('bin')),
  num: fc.integer({ min: 0, max: 1000 }).map((value) => ({ kind: 'num' as const, value })),
  neg: tie('tree').map((operand) => ({ kind: 'neg' as const, operand })),
  bin: fc.record({ kind: fc.constant('bin' as const), op: fc.constantFrom<BinaryOp>('+', '-', '*', '/', '%', '^'), left: tie('tree'), right: tie('tree') }),
})).tree;

/** The tree's value, or undefined where the parser must refuse (division by zero, non-finite). */
function walk(tree: Tree): number | undefined {
  if (tree.kind === 'num') return tree.value;
  if (tree.kind === 'neg') {
    const operand = walk(tree.operand);
    return operand === undefined ? undefined : -operand;
  }
  const left = walk(tree.left);
  const right = walk(tree.right);
  if (left === undefined || right === undefined) return undefined;
  if ((tree.op === '/' || tree.op === '%') && right === 0) return undefined;
  const ops: Record<BinaryOp, (a: number, b: number) => number> = {
    '+': (a, b) => a + b,
    '-': (a, b) => a - b,
    '*': (a, b) => a * b,
    '/': (a, b) => a / b,
    '%': (a, b) => a % b,
    '^': (a, b) => a ** b,
  };
  const value = ops[tree.op](left, right);
  return Number.isFinite(value) ? value : undefined;
}

function printFull(tree: Tree): string {
  if (tree.kind === 'num') return String(tree.value);
  if (tree.kind === 'neg') return `(-${printFull(tree.operand)})`;
  return `(${printFull(tree.left)} ${tree.op === '^' ? '**' : tree.op} ${printFull(tree.right)})`;
}

const PRECEDENCE: Record<BinaryOp, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2, '^': 4 };
const precedenceOf = (tree: Tree): number => (tree.kind === 'num' ? 9 : tree.kind === 'neg' ? 3 : PRECEDENCE[tree.op]);

/** Prints with as few parentheses as the grammar allows, so precedence and associativity matter. */
function printMinimal(tree: Tree): string {
  if (tree.kind === 'num') return String(tree.value);
  const wrap = (child: Tree, needs: boolean): string => (needs ? `(${printMinimal(child)})` : printMinimal(child));
  if (tree.kind === 'neg') return `-${wrap(tree.operand, precedenceOf(tree.operand) < 3)}`;
  const p = PRECEDENCE[tree.op];
  const rightAssociative = tree.op === '^';
  const left = wrap(tree.left, rightAssociative ? precedenceOf(tree.left) <= p : precedenceOf(tree.left) < p);
  const right = wrap(tree.right, rightAssociative ? precedenceOf(tree.right) < p : precedenceOf(tree.right) <= p);
  return `${left}${tree.op}${right}`;
}

describe('calculator: properties', () => {
  it('evaluates a fully parenthesised random tree to the tree walk value', () => {
    fc.assert(
      fc.property(trees, (tree) => {
        const expected = walk(tree);
        const printed = printFull(tree);
        fc.pre(expected !== undefined && printed.length <= 500);
        expect(evaluate(printed)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('evaluates a minimally parenthesised random tree to the tree walk value', () => {
    fc.assert(
      fc.property(trees, (tree) => {
        const expected = walk(tree);
        const printed = printMinimal(tree);
        fc.pre(expected !== undefined && printed.length <= 500);
        expect(evaluate(printed)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses division by zero anywhere in a random tree', () => {
    fc.assert(
      fc.property(trees, fc.constantFrom('/', '%'), (tree, op) => {
        const printed = `(${printFull(tree)}) ${op} (0 * 7)`;
        fc.pre(printed.length <= 500);
        expect(() => evaluate(printed)).toThrow(/Division by zero|not a finite number/);
      }),
      { numRuns: 200 },
    );
  });

  const soup = fc
    .array(fc.constantFrom('1', '23', '4.5', '.', 'e', 'e3', '+', '-', '*', '**', '/', '%', '^', '(', ')', ',', ' ', 'sqrt', 'min', 'pi', 'x', '$', '0'), { maxLength: 200 })
    .map((parts) => parts.join(''));

  it('returns a finite number or throws a CalculatorError for any input, without hanging', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 600 }), soup), (input) => {
        const started = performance.now();
        try {
          expect(Number.isFinite(evaluate(input))).toBe(true);
        } catch (error) {
          expect(error).toBeInstanceOf(CalculatorError);
        }
        // Only a runaway (exponential backtracking, a loop) could take this long; a GC pause on a
        // busy machine cannot. Speed itself is not asserted in tests.
        expect(performance.now() - started).toBeLessThan(2000);
      }),
      { numRuns: 3000 },
    );
  });
});

// Names reach table lookups as user input: a name that an ordinary object inherits (constructor,
// __proto__, toString…) must read as unknown, never as a value found on a prototype.
const INHERITED_NAMES = [
  ...new Set([...Object.getOwnPropertyNames(Object.prototype), ...Object.getOwnPropertyNames(Function.prototype)]),
].filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name));

describe('calculator: names inherited from prototypes', () => {
  it('lists the names this property test is about', () => {
    expect(INHERITED_NAMES).toEqual(expect.arrayContaining(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf']));
  });

  it('refuses every inherited name, in any case and any position, as an unknown name', () => {
    const names = fc.oneof(
      fc.constantFrom(...INHERITED_NAMES),
      fc.constantFrom(...INHERITED_NAMES).map((name) => name.toLowerCase()),
      fc.constantFrom(...INHERITED_NAMES).map((name) => name.toUpperCase()),
    );
    const shapes = fc.constantFrom((n: string) => n, (n: string) => `${n}(1)`, (n: string) => `${n}()`, (n: string) => `1 + ${n}`, (n: string) => `sqrt(${n})`);
    fc.assert(
      fc.property(names, shapes, (name, shape) => {
        const expression = shape(name);
        let thrown: unknown;
        try {
          evaluate(expression);
        } catch (error) {
          thrown = error;
        }
        expect(thrown, expression).toBeInstanceOf(CalculatorError);
        expect((thrown as CalculatorError).message, expression).toMatch(new RegExp(`^Unexpected token "${name}" at position \\d+: unknown name; use pi, e, sqrt`));
      }),
      { numRuns: 500 },
    );
  });

  it('answers the tool call for "constructor" with the unknown-name error', () => {
    expect(() => calculatorTool.execute({ expression: 'constructor(1)' }, toolContext)).toThrow(
      'Unexpected token "constructor" at position 1: unknown name; use pi, e, sqrt',
    );
  });
});
