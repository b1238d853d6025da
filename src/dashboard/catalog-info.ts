import { z } from 'zod';
import { type Analysis, engineSupport, loadCatalog } from '../analyses/index.js';

/** One result column as the frontend needs it to pick a chart and format values. */
export interface ColumnInfo {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean';
  nullable: boolean;
  /** How values read: money, a fraction shown as a percentage, or a plain number (or text). */
  format: 'money' | 'percent' | 'number';
}

// The naming convention `--format table` uses (src/cli/columns.ts) for schemas that declare no format.
const MONEY = /(^|_)(revenue|amount|price|monetary|total)$|(?<!(^|_)p)_value$|^value_|^(mae|rmse)$/;
const PERCENT = /(^|_)(share|rate|retention|conversion|lift)(_|$)|(^|_)ci_(low|high)$/;

/** An analysis as the API describes it: what the dashboard builds its form, chart and table from. */
export interface AnalysisInfo {
  name: string;
  description: string;
  engines: string;
  /** JSON Schema (draft 2020-12) of the parameters as a user writes them. */
  params: unknown;
  columns: ColumnInfo[];
}

const jsonType = z.enum(['string', 'integer', 'number', 'boolean']);
const property = z.object({
  type: z.union([jsonType, z.array(z.string())]).optional(),
  anyOf: z.array(z.object({ type: z.string().optional(), format: z.string().optional() })).optional(),
  format: z.string().optional(),
});
const objectSchema = z.object({ properties: z.record(z.string(), property) });

/** The row schema's columns, in order, read from its JSON Schema (zod's own conversion). */
export function columnsOf(analysis: Analysis): ColumnInfo[] {
  const schema = objectSchema.parse(z.toJSONSchema(analysis.row, { io: 'output', unrepresentable: 'any' }));
  return Object.entries(schema.properties).map(([name, p]) => {
    const types = [p.type ?? [], (p.anyOf ?? []).map((a) => a.type ?? '')].flat(2);
    const type = jsonType.safeParse(types.find((t) => t !== 'null')).data ?? 'string';
    const declared = [p.format, ...(p.anyOf ?? []).map((a) => a.format)].find(
      (f) => f === 'money' || f === 'percent',
    );
    const format =
      declared === 'money' || declared === 'percent'
        ? declared
        : MONEY.test(name)
          ? 'money'
          : PERCENT.test(name)
            ? 'percent'
            : 'number';
    return { name, type, nullable: types.includes('null'), format };
  });
}

/** Describes one analysis for the API. */
export function describeAnalysis(analysis: Analysis): AnalysisInfo {
  return {
    name: analysis.name,
    description: analysis.description,
    engines: engineSupport(analysis),
    params: z.toJSONSchema(analysis.params, { io: 'input', unrepresentable: 'any' }),
    columns: columnsOf(analysis),
  };
}

/** Every analysis of the catalog, described. */
export async function describeCatalog(): Promise<AnalysisInfo[]> {
  return (await loadCatalog()).map(describeAnalysis);
}
