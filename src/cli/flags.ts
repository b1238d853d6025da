import { z } from 'zod';
import { engineKindSchema, lakeUriSchema, sparkRemoteSchema } from '../engines/index.js';
import { UserError } from '../errors/index.js';

/**
 * Command-line flags arrive from commander as strings, booleans or undefined. Each command validates
 * its flags with a zod schema built from the pieces below and gets typed values back; a bad value is
 * one line naming the flag (exit 2).
 */

/** Output formats; ndjson writes one JSON object per line as rows arrive. */
export const formatFlag = z.enum(['table', 'json', 'csv', 'ndjson']).default('table');
export type Format = z.infer<typeof formatFlag>;

/** A whole number ≥ 1 given as text: 50000, 50_000 or 1e7. */
export const positiveIntFlag = z
  .union([z.string(), z.number()])
  .transform((v) => Number(String(v).replaceAll('_', '')))
  .pipe(z.number().int('expected a positive whole number').positive('expected a positive whole number'));

/** A whole number ≥ 0 given as text. */
export const wholeNumberFlag = z
  .union([z.string(), z.number()])
  .transform((v) => Number(String(v)))
  .pipe(z.number().int('expected a whole number ≥ 0').min(0, 'expected a whole number ≥ 0'));

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A duration such as 90s, 10m, 1h or 500ms (a bare number means seconds); 0 means no limit. */
export const durationFlag = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?(ms|s|m|h)?$/, 'expected a duration such as 30s, 10m or 1h')
  .transform((text) => {
    const [, value = '0', unit = 's'] = /^([\d.]+)(ms|s|m|h)?$/.exec(text) ?? [];
    return { ms: Number(value) * (UNIT_MS[unit] ?? 1000), text };
  });

/** The default --timeout of `sql` and `query`: generous, so that only a runaway query meets it. */
export const DEFAULT_TIMEOUT = '10m';

/** Validates a command's flags; every problem is named in one line. */
export function parseFlags<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const flag = issue.path.map((p) => String(p).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)).join('.');
    const message =
      issue.code === 'invalid_value' ? `expected one of ${issue.values.join(', ')}` : issue.message;
    return flag ? `--${flag}: ${message}` : message;
  });
  throw new UserError(problems.join('; '), { code: 'bad_flag' });
}

/**
 * The flags that choose the engine (`query`, `sql`, `tables`); each may also come from the environment
 * or the config file (precedence in engines/choice.ts).
 */
export const engineFlags = z.object({
  engine: engineKindSchema.optional(),
  sparkRemote: sparkRemoteSchema.optional(),
  lakeUri: lakeUriSchema.optional(),
  config: z.string().min(1, 'expected a file').optional(),
});
export type EngineFlags = z.infer<typeof engineFlags>;
