import { z } from 'zod';

const name = z.string({ error: 'write a source column name' }).min(1, 'write a source column name');
// Checked here so that a typo is a mapping error, not a failure halfway through a run. DuckDB's RE2
// syntax is close to JavaScript's for what mappings need (classes, anchors, alternation).
const regex = z
  .string()
  .min(1)
  .refine((p) => {
    try {
      new RegExp(p);
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

const TESTS = ['empty', 'equals', 'in', 'startsWith', 'endsWith', 'matches', 'below', 'above'] as const;
const conditionShape = {
  column: name.describe('source column the test reads'),
  empty: z.boolean().optional().describe('true: the value is missing or blank; false: it is present'),
  equals: z.union([z.string(), z.number()]).optional(),
  in: z
    .array(z.union([z.string(), z.number()]))
    .min(1)
    .optional(),
  startsWith: z.string().min(1).optional(),
  endsWith: z.string().min(1).optional(),
  matches: z
    .string()
    .min(1)
    .optional()
    .describe('regular expression, case-insensitive, anywhere in the value'),
  below: z.number().optional().describe('the value as a number is below this'),
  above: z.number().optional().describe('the value as a number is above this'),
};
const oneTest = [
  (c: Partial<Record<(typeof TESTS)[number], unknown>>) =>
    TESTS.filter((t) => c[t] !== undefined).length === 1,
  `give exactly one test: ${TESTS.join(', ')}`,
] as const;

/** A test on one source column: exactly one of the comparisons. */
export const conditionSchema = z
  .object(conditionShape)
  .strict()
  .refine(...oneTest);
export type Condition = z.infer<typeof conditionSchema>;

/** An operand of arithmetic: a source column, a number, or a nested operation. */
export type Operand = string | number | Arithmetic;
export type Arithmetic =
  | { add: Operand[] }
  | { subtract: Operand[] }
  | { multiply: Operand[] }
  | { divide: Operand[] };
export const ARITHMETIC = ['add', 'subtract', 'multiply', 'divide'] as const;

const CONDITION_KEYS = ['column', ...TESTS];
const RULE_KEYS = [
  ...['column', 'constant', 'concat', 'separator', ...ARITHMETIC, 'when', 'else'],
  ...['regionFromCountry', 'state', 'regions', 'format', 'values', 'patterns', 'default'],
];

/** The keys an object at this place of a mapping may have, to name them when one is misspelt. */
export function allowedKeys(path: readonly PropertyKey[]): string[] {
  const [first, , third] = path;
  if (path.length === 0) return ['description', 'columns', 'skip', 'sources', 'sql'];
  if (first === 'skip') return [...CONDITION_KEYS, 'reason'];
  if (first === 'columns' && path.length === 2) return RULE_KEYS;
  if (first === 'columns' && third === 'when') return [...CONDITION_KEYS, 'value'];
  return [];
}

const operandSchema: z.ZodType<Operand> = z.lazy(() => z.union([name, z.number(), arithmeticSchema]));
const operands = z.array(operandSchema).min(2, 'give at least two operands, e.g. [Sales, Quantity]');
const arithmeticSchema: z.ZodType<Arithmetic> = z.union([
  z.object({ add: operands }).strict(),
  z.object({ subtract: operands }).strict(),
  z.object({ multiply: operands }).strict(),
  z.object({ divide: operands }).strict(),
]);

const whenSchema = z
  .object({
    ...conditionShape,
    value: z.union([z.string(), z.number()], {
      error: 'give the value to use when the test holds: value: …',
    }),
  })
  .strict()
  .refine(...oneTest);

/** How one lake column is made: a producer (where the value comes from) and optional modifiers. */
export const ruleObjectSchema = z
  .object({
    // Producers: exactly one.
    column: name.optional().describe('copy this source column'),
    constant: z.union([z.string(), z.number()]).optional().describe('the same value on every row'),
    concat: z.array(name).min(2).optional().describe('source columns joined, e.g. a key from several'),
    separator: z.string().optional().describe('between concat parts (default "-")'),
    add: operands.optional(),
    subtract: operands.optional().describe('first minus the others'),
    multiply: operands.optional(),
    divide: operands.optional().describe('first divided by the others, rounded to 4 decimals'),
    when: z
      .array(whenSchema)
      .min(1)
      .optional()
      .describe('the value of the first matching test, e.g. InvoiceNo startsWith C → CANCELLED'),
    else: z.union([z.string(), z.number()]).optional().describe('value when no `when` test matches'),
    regionFromCountry: name.optional().describe('country column mapped to a sales region'),
    state: name.optional().describe('US state column, with regionFromCountry: splits US-EAST / US-WEST'),
    regions: z
      .record(z.string(), z.string().min(1))
      .optional()
      .describe('country or state → region, overriding the built-in table'),
    // Modifiers.
    format: z
      .string()
      .min(1)
      .optional()
      .describe('strptime format of a date, e.g. "%d/%m/%Y %H:%M", or auto to detect it'),
    values: z.record(z.string(), z.string()).optional().describe('exact source value → lake value'),
    patterns: z
      .record(regex, z.string())
      .optional()
      .describe('regular expression (case-insensitive) → lake value, first match wins'),
    default: z.union([z.string(), z.number()]).optional().describe('value when the result is empty'),
  })
  .strict()
  .superRefine((r, ctx) => {
    const producers = PRODUCERS.filter((p) => r[p] !== undefined);
    if (producers.length !== 1) {
      ctx.addIssue({
        code: 'custom',
        message:
          producers.length === 0
            ? `say where the value comes from: one of ${PRODUCERS.join(', ')}`
            : `give only one of ${producers.join(', ')}`,
      });
    }
    if (r.separator !== undefined && r.concat === undefined)
      ctx.addIssue({ code: 'custom', message: 'separator goes with concat' });
    if (r.else !== undefined && r.when === undefined)
      ctx.addIssue({ code: 'custom', message: 'else goes with when' });
    if ((r.state !== undefined || r.regions !== undefined) && r.regionFromCountry === undefined)
      ctx.addIssue({ code: 'custom', message: 'state and regions go with regionFromCountry' });
  });
const PRODUCERS = [
  'column',
  'constant',
  'concat',
  'add',
  'subtract',
  'multiply',
  'divide',
  'when',
  'regionFromCountry',
] as const;
export type RuleObject = z.infer<typeof ruleObjectSchema>;
// A bare string is short for { column }; turned into the object first so that a wrong object gets its
// own messages rather than a union's "invalid input".
export const ruleSchema = z.preprocess((v) => (typeof v === 'string' ? { column: v } : v), ruleObjectSchema);
export type Rule = z.infer<typeof ruleSchema>;

/** A row filter: rows that pass the test are set aside (counted and listed with the reason). */
export const skipSchema = z
  .object({
    ...conditionShape,
    reason: z
      .string({ error: 'say why such rows are skipped: reason: …' })
      .min(1, 'say why such rows are skipped'),
  })
  .strict()
  .refine(...oneTest);
export type Skip = z.infer<typeof skipSchema>;

/** A `--map` file: either column rules (YAML/JSON), or one read-only SQL SELECT over named sources. */
export const mappingSchema = z
  .object({
    description: z.string().optional(),
    columns: z.record(z.string(), ruleSchema).optional(),
    skip: z.array(skipSchema).optional(),
    sources: z
      .record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'use a lower-case SQL name'), z.string().min(1))
      .optional()
      .describe('table name → file (relative to the ingested directory), for sql'),
    sql: z.string().min(1).optional().describe('one SELECT over the sources giving the lake columns'),
  })
  .strict()
  .superRefine((m, ctx) => {
    if ((m.columns === undefined) === (m.sql === undefined))
      ctx.addIssue({ code: 'custom', message: 'give either columns (rules) or sql (with sources)' });
    if (m.sql !== undefined && m.sources === undefined)
      ctx.addIssue({ code: 'custom', path: ['sources'], message: 'sql needs sources: { name: file.csv }' });
    if (m.sql !== undefined && m.skip !== undefined)
      ctx.addIssue({ code: 'custom', path: ['skip'], message: 'with sql, select __skip (a reason) instead' });
  });
export type Mapping = z.infer<typeof mappingSchema>;
