import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { placeholderNames } from '../engines/index.js';
import { isUserError } from '../errors/index.js';
import { buildSalesLake } from './catalog/parts/orders.test-helper.js';
import { fixtureLake } from './fixture.test-helper.js';
import { type Analysis, defineAnalysis, loadCatalog, param, parseParams, runAnalysis } from './index.js';

// Raw values to try for parameters that shape the SQL but are not enums (enum options are tried by
// themselves). A 'shape' parameter missing here fails the test, so a new one cannot go unchecked.
const SAMPLES: Record<string, Record<string, readonly string[]>> = {
  funnel: { steps: ['VIEW,PURCHASE', 'VIEW,ADD_TO_CART,CHECKOUT,PURCHASE', 'VIEW,VIEW,PURCHASE'] },
  'user-paths': { depth: ['2', '5', '10'] },
  // Required ids (not SQL shapes): one value each so that the parameters parse.
  'also-bought': { product: ['PHONE001'] },
  recommend: { customer: ['CUST00001'] },
};

/** The options of an enum parameter (through .optional() and .default()), or undefined. */
function enumOptions(schema: z.ZodType): readonly string[] | undefined {
  if (schema instanceof z.ZodEnum) return schema.options.map(String);
  if (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) {
    return enumOptions(schema.unwrap() as z.ZodType);
  }
  return undefined;
}

/** Values to try per parameter: enum options, or the samples above. */
function valuesOf(analysis: Analysis): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  for (const [name, schema] of Object.entries(analysis.params.shape)) {
    const values = enumOptions(schema as z.ZodType) ?? SAMPLES[analysis.name]?.[name];
    if (values) out[name] = values;
  }
  return out;
}

/** Every combination of the values to try (parameters without values keep their defaults). */
function variants(analysis: Analysis): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [name, values] of Object.entries(valuesOf(analysis))) {
    out = out.flatMap((v) => values.map((value) => ({ ...v, [name]: value })));
  }
  return out;
}

/** The SQL texts (analysis and notes) of one variant. */
function sqlTexts(analysis: Analysis, raw: Record<string, string>): string[] {
  const params = parseParams(analysis, raw);
  const notes = analysis.notes?.(params as never);
  return [analysis.sql(params as never), ...(notes ? [notes.sql] : [])];
}

describe('analysis parameters', () => {
  it('every :name in every SQL variant is defined, and every defined parameter is used', async () => {
    for (const analysis of await loadCatalog()) {
      const defined = Object.keys(analysis.params.shape);
      const unbound: Record<string, string | undefined> = { ...analysis.unbound };
      for (const name of Object.keys(unbound)) {
        assert.ok(defined.includes(name), `${analysis.name}: unbound ${name} is not a parameter`);
      }
      const bound = new Set<string>();
      for (const raw of variants(analysis)) {
        for (const sql of sqlTexts(analysis, raw)) {
          for (const name of placeholderNames(sql)) {
            assert.ok(
              defined.includes(name),
              `${analysis.name} ${JSON.stringify(raw)}: :${name} is not defined`,
            );
            bound.add(name);
          }
        }
      }
      const values = valuesOf(analysis);
      for (const name of defined) {
        const use = unbound[name];
        if (use === undefined) {
          assert.ok(bound.has(name), `${analysis.name}: parameter ${name} is never bound in its SQL`);
          continue;
        }
        assert.ok(!bound.has(name), `${analysis.name}: ${name} is declared ${use} but bound as :${name}`);
        if (use === 'shape') {
          // A parameter that shapes the SQL must change it: one SQL text per value tried.
          const tried = values[name];
          assert.ok(tried, `${analysis.name}: add sample values for the shape parameter ${name} to SAMPLES`);
          const texts = new Set(tried.map((v) => sqlTexts(analysis, { [name]: v })[0]));
          assert.equal(texts.size, tried.length, `${analysis.name}: ${name} does not change the SQL`);
        } else {
          // Read by transform only: the transform must exist and refer to it (a static check, the best a
          // catalog-wide test can do without data for every analysis; the per-analysis tests pin the values).
          assert.ok(analysis.transform, `${analysis.name}: ${name} is for transform, which is missing`);
          assert.match(
            String(analysis.transform),
            new RegExp(`\\.${name}\\b`),
            `${analysis.name}: ${name} unread`,
          );
        }
      }
    }
  });
});

describe('the runner', () => {
  const { engine } = fixtureLake(buildSalesLake);
  const regionRevenue = (sql: string) =>
    defineAnalysis({
      name: 'misspelt',
      description: 'revenue of one region',
      params: z.object({ region: param.region }),
      row: z.object({ revenue: z.number().nullable() }),
      sql: () => sql,
    });

  it('refuses, as an internal error, SQL that uses a parameter its schema does not define', async () => {
    // Before: :regoin bound NULL, the filter held for every row, and --region was silently ignored.
    const bad = regionRevenue(
      'SELECT CAST(sum(total_amount) AS DOUBLE) AS revenue FROM orders WHERE :regoin IS NULL OR region = :regoin',
    );
    await assert.rejects(runAnalysis(engine(), bad, { region: 'US-WEST' }), (err: unknown) => {
      assert.ok(!isUserError(err), 'a bug in an analysis is not a user mistake');
      assert.match(String(err), /:regoin/);
      return true;
    });
    // Spelt right, the region filters: US-WEST is A4 alone, 10 + 40.
    const good = regionRevenue(
      'SELECT CAST(sum(total_amount) AS DOUBLE) AS revenue FROM orders WHERE :region IS NULL OR region = :region',
    );
    assert.deepEqual(await runAnalysis(engine(), good, { region: 'US-WEST' }), [{ revenue: 50 }]);
  });
});
