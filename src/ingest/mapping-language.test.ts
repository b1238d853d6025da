import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { UserError } from '../errors/index.js';
import { TABLES } from '../lake/index.js';
import { csv, ORDERS_HEADER, tempDir, writeText } from '../testing/index.js';
import { COUNTRY_TABLE, isoCountryCodes, REGION_OF_CODE, stateRegions } from './countries.js';
import { ingest, type Mapping, mappingSchema } from './index.js';

const reasons = (file: string | null) =>
  file
    ? readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { line: number; reason: string })
    : [];

// A minimal orders export in another shape: the mapping under test fills what it lacks.
const HEADER = 'inv,sku,qty,unit,when,country';
const mapping = (columns: Record<string, unknown>, extra: Record<string, unknown> = {}): Mapping =>
  mappingSchema.parse({
    columns: {
      order_id: 'inv',
      product_id: 'sku',
      product_name: { constant: 'Thing' },
      quantity: 'qty',
      price: 'unit',
      total_amount: { multiply: ['qty', 'unit'] },
      order_date: { column: 'when', format: '%Y-%m-%d' },
      status: { constant: 'COMPLETED' },
      region: { constant: 'Central' },
      ...columns,
    },
    ...extra,
  });

describe('mapping language', () => {
  let dir: string;
  let cleanup: () => void;
  let n = 0;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  async function run(rows: (string | number)[][], m?: Mapping, header = HEADER) {
    n += 1;
    const input = writeText(join(dir, `in${n}`, 'export.csv'), csv(header, rows));
    const dataDir = join(dir, `d${n}`);
    const report = await ingest({ dataDir, table: TABLES.orders, input, ...(m ? { mapping: m } : {}) });
    return { report, dataDir, bad: reasons(report.quarantineFile) };
  }
  async function query(dataDir: string, sql: string) {
    const engine = await DuckDbEngine.open(dataDir);
    try {
      return await engine.query(sql);
    } finally {
      await engine.close();
    }
  }

  it('stores amounts exactly: a price of 0.001 loads, 4 decimals stay, a 5th is refused, not rounded', async () => {
    const { report, dataDir, bad } = await run(
      [
        ['A1', 'S1', 3, '0.001', '2024-01-02', 'x'],
        ['A2', 'S1', 7, '2.0825', '2024-01-02', 'x'],
        ['A3', 'S1', 1, '0.00001', '2024-01-02', 'x'],
      ],
      mapping({}),
    );
    assert.deepEqual([report.loaded, report.quarantined], [2, 1]);
    assert.match(bad[0]?.reason ?? '', /^price: '0\.00001' has more than 4 decimal places/);
    assert.doesNotMatch(bad[0]?.reason ?? '', /greater than 0/, 'the rounded 0 is not judged');
    // By hand: 3 × 0.001 = 0.003 and 7 × 2.0825 = 14.5775; together 14.5805.
    const [row] = await query(
      dataDir,
      'SELECT CAST(sum(total_amount) AS VARCHAR) AS s, CAST(min(price) AS VARCHAR) AS p FROM orders',
    );
    assert.deepEqual(row, { s: '14.5805', p: '0.0010' });
  });

  it('takes a discount so that total = quantity × price − discount, within one cent exactly', async () => {
    const header = `${ORDERS_HEADER},discount`;
    const line = (id: string, total: string, discount: string) => [
      id,
      'C1',
      'P1',
      'Pen',
      4,
      '2.50',
      total,
      '2026-01-05 10:00:00',
      'COMPLETED',
      'South',
      discount,
    ];
    const { report, bad } = await run(
      [
        line('O1', '8.00', '2.00'), // 10 − 2 = 8
        line('O2', '8.01', '2.00'), // one cent off: within the rule
        line('O3', '8.02', '2.00'), // two cents off
        line('O4', '10.00', ''), // no discount
      ],
      undefined,
      header,
    );
    assert.deepEqual([report.loaded, report.quarantined], [3, 1]);
    assert.equal(bad[0]?.line, 4);
    assert.match(bad[0]?.reason ?? '', /total_amount: must equal quantity × price − discount/);
  });

  it('divides, subtracts, builds keys from several columns and maps by condition and pattern', async () => {
    const header = 'order,line,sku,total,qty,state,kind';
    const m = mappingSchema.parse({
      columns: {
        order_id: { concat: ['order', 'line'], separator: '-' },
        product_id: 'sku',
        product_name: { constant: 'Thing' },
        quantity: 'qty',
        price: { divide: ['total', 'qty'] },
        total_amount: 'total',
        order_date: { constant: '2025-03-04 05:06:07' },
        status: {
          when: [{ column: 'order', startsWith: 'C', value: 'CANCELLED' }],
          else: 'COMPLETED',
        },
        region: { column: 'state', patterns: { '^(wait|hold)': 'PENDING-ZONE', ship: 'Shipped-Zone' } },
      },
    });
    const { report, dataDir, bad } = await run(
      [
        ['100', '1', 'S', '10', '4', 'shipped', 'x'], // price 2.5
        ['C101', '1', 'S', '-3', '-3', 'waiting', 'x'], // price 1, cancelled
        ['102', '1', 'S', '10', '3', 'Hold', 'x'], // price 3.3333 (10/3 to 4 places): 3 × 3.3333 = 9.9999, within a cent
        ['103', '1', 'S', '5', '0', 'x', 'x'], // division by zero
      ],
      m,
      header,
    );
    assert.deepEqual([report.loaded, report.quarantined], [3, 1]);
    assert.match(bad[0]?.reason ?? '', /price: division by zero/);
    const rows = await query(
      dataDir,
      'SELECT order_id, CAST(price AS VARCHAR) AS price, status, region FROM orders ORDER BY order_id',
    );
    assert.deepEqual(rows, [
      { order_id: '100-1', price: '2.5000', status: 'COMPLETED', region: 'Shipped-Zone' },
      { order_id: '102-1', price: '3.3333', status: 'COMPLETED', region: 'PENDING-ZONE' },
      { order_id: 'C101-1', price: '1.0000', status: 'CANCELLED', region: 'PENDING-ZONE' },
    ]);
  });

  it('counts and lists rows a filter skips, with the reason, apart from the quarantine count', async () => {
    const m = mapping({}, { skip: [{ column: 'sku', empty: true, reason: 'no product' }] });
    const { report, bad } = await run(
      [
        ['A1', 'S1', 1, '1', '2024-01-02', 'x'],
        ['A2', '', 1, '1', '2024-01-02', 'x'],
      ],
      m,
    );
    assert.deepEqual([report.read, report.loaded, report.skipped, report.quarantined], [2, 1, 1, 0]);
    assert.deepEqual(bad, [{ ...bad[0], line: 3, reason: 'skipped by the mapping: no product' }]);
  });

  it('explains a date that does not parse: format tried, value, and a format that would parse it', async () => {
    const m = mapping({ order_date: { column: 'when', format: '%m/%d/%Y' } });
    const { bad } = await run(
      [
        ['A1', 'S1', 1, '1', '25/12/2024', 'x'], // day first
        ['A2', 'S1', 1, '1', '1/5/24', 'x'], // two-digit year read with %Y
      ],
      m,
    );
    assert.equal(
      bad[0]?.reason,
      "order_date: '25/12/2024' does not match the format %m/%d/%Y; it parses with %d/%m/%Y",
    );
    assert.equal(
      bad[1]?.reason,
      "order_date: '1/5/24' has a two-digit year, which %m/%d/%Y reads as a year before 100: use %y instead of %Y",
    );
  });

  it('format auto says what it chose, and refuses a column where day and month cannot be told apart', async () => {
    const auto = mapping({ order_date: { column: 'when', format: 'auto' } });
    const { report } = await run(
      [
        ['A1', 'S1', 1, '1', '12/31/2024 10:00', 'x'],
        ['A2', 'S1', 1, '1', '1/2/2025 11:30', 'x'],
      ],
      auto,
    );
    assert.deepEqual(report.notes, ['order_date: format auto chose %m/%d/%Y %H:%M (all 2 values)']);
    await assert.rejects(
      run(
        [
          ['A1', 'S1', 1, '1', '01/02/2024', 'x'],
          ['A2', 'S1', 1, '1', '03/04/2024', 'x'],
        ],
        auto,
      ),
      (err: unknown) =>
        err instanceof UserError &&
        /cannot choose, %m\/%d\/%Y and %d\/%m\/%Y both parse all 2 values \(day and month order/.test(
          err.message,
        ),
    );
  });

  it('places countries and US states in regions, honours overrides and names an unknown country', async () => {
    const m = mapping({
      region: { regionFromCountry: 'country', state: 'qty', regions: { Narnia: 'Fantasy' } },
      quantity: { constant: 1 },
      total_amount: 'unit',
    });
    // The state column doubles as qty here: only its text matters to the region rule.
    const { dataDir, bad } = await run(
      [
        ['A1', 'S1', 'California', '1', '2024-01-02', 'United States'],
        ['A2', 'S1', 'NY', '1', '2024-01-02', 'USA'],
        ['A3', 'S1', '', '1', '2024-01-02', 'Brazil'],
        ['A4', 'S1', '', '1', '2024-01-02', 'narnia'],
        ['A5', 'S1', '', '1', '2024-01-02', 'Atlantis'],
        ['A6', 'S1', '', '1', '2024-01-02', 'DEU'],
      ],
      m,
    );
    const rows = await query(dataDir, 'SELECT order_id, region FROM orders ORDER BY 1');
    assert.deepEqual(
      rows.map((r) => `${r.order_id} ${r.region}`),
      ['A1 US-WEST', 'A2 US-EAST', 'A3 LATAM', 'A4 Fantasy', 'A6 EU-WEST'],
    );
    assert.match(bad[0]?.reason ?? '', /region: country 'Atlantis' is not in the country table/);
  });

  it('the country table covers every ISO 3166-1 country, and the state table every US state and DC', () => {
    const missing = isoCountryCodes().filter((c) => c !== 'US' && !REGION_OF_CODE.has(c));
    assert.deepEqual(missing, []);
    // 50 states and DC, each by postal code and by name.
    assert.equal(stateRegions().size, 51 * 2);
    // docs/MAPPING.md prints the same table.
    const doc = readFileSync(new URL('../../../docs/MAPPING.md', import.meta.url), 'utf8');
    for (const [region, codes] of Object.entries(COUNTRY_TABLE))
      assert.ok(doc.includes(`| ${region} | ${codes} |`), region);
  });

  it('maps NDJSON the same way: filters, arithmetic and format auto over the parsed records', async () => {
    const lines = [
      { inv: 'N1', sku: 'S1', qty: '2', total: '5', when: '31.12.2024' },
      { inv: 'N2', sku: '', qty: '1', total: '1', when: '01.01.2025' },
      { inv: 'N3', sku: 'S2', qty: '4', total: '10', when: '15.01.2025' },
    ];
    const input = writeText(join(dir, 'nd', 'orders.ndjson'), lines.map((l) => JSON.stringify(l)).join('\n'));
    const m = mapping(
      {
        price: { divide: ['total', 'qty'] },
        total_amount: 'total',
        order_date: { column: 'when', format: 'auto' },
      },
      { skip: [{ column: 'sku', empty: true, reason: 'no product' }] },
    );
    const dataDir = join(dir, 'nd-data');
    const report = await ingest({ dataDir, table: TABLES.orders, input, mapping: m });
    assert.deepEqual([report.read, report.loaded, report.skipped], [3, 2, 1]);
    assert.deepEqual(report.notes, ['order_date: format auto chose %d.%m.%Y (all 3 values)']);
    // By hand: 5 / 2 = 2.5 and 10 / 4 = 2.5.
    const rows = await query(
      dataDir,
      'SELECT CAST(price AS VARCHAR) AS p, CAST(order_date AS VARCHAR) AS d FROM orders ORDER BY d',
    );
    assert.deepEqual(rows, [
      { p: '2.5000', d: '2024-12-31 00:00:00' },
      { p: '2.5000', d: '2025-01-15 00:00:00' },
    ]);
  });

  it('says an empty CSV is empty instead of naming an invented column', async () => {
    const input = writeText(join(dir, 'empty', 'orders.csv'), '');
    await assert.rejects(
      ingest({ dataDir: join(dir, 'empty-data'), table: TABLES.orders, input }),
      (err: unknown) =>
        err instanceof UserError && /orders\.csv is empty: a CSV file needs a header row/.test(err.message),
    );
  });

  it('quarantines a line longer than the CSV reader takes, and loads the rest of the file', async () => {
    // 3 MB stands for the 200 MB line of the fault report: any line over the reader's 2 MB limit failed the file.
    const rows = [
      ['A1', 'S1', 1, '1', '2024-01-02', 'x'],
      ['A2', 'S1', 1, '1', '2024-01-02', 'y'.repeat(3_000_000)],
      ['A3', 'S1', 1, '1', '2024-01-02', 'x'],
    ];
    const { report, bad } = await run(rows, mapping({}));
    assert.deepEqual([report.read, report.loaded, report.quarantined], [3, 2, 1]);
    assert.equal(bad[0]?.line, 3);
    assert.match(bad[0]?.reason ?? '', /unreadable CSV line: line of 3000\d{3} bytes, longer than 2000000/);
  });

  it('keeps a failure of the machine (out of memory) an internal error, not a user mistake', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [
      `A${i}`,
      'S1',
      1,
      '1',
      '2024-01-02',
      'x'.repeat(50),
    ]);
    const input = writeText(join(dir, 'big', 'orders.csv'), csv(HEADER, rows));
    await assert.rejects(
      ingest({
        dataDir: join(dir, 'big-data'),
        table: TABLES.orders,
        input,
        mapping: mapping({}),
        memoryLimit: '2MB',
        threads: 1,
      }),
      (err: unknown) => err instanceof Error && !(err instanceof UserError) && /memory/i.test(err.message),
    );
  });
});

describe('SQL mappings are read-only and see only their sources', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  const SELECT = `SELECT order_id, 'C1' AS customer_id, 'P1' AS product_id, 'Pen' AS product_name, 1 AS quantity,
    1 AS price, 1 AS total_amount, '2024-01-02' AS order_date, 'COMPLETED' AS status, 'North' AS region FROM o`;
  async function attempt(sql: string, name: string) {
    const input = join(dir, name);
    writeText(join(input, 'o.csv'), 'order_id\nA1\n');
    writeText(join(dir, 'secret.csv'), 'secret\n42\n');
    return ingest({
      dataDir: join(dir, `${name}-data`),
      table: TABLES.orders,
      input,
      mapping: mappingSchema.parse({ sources: { o: 'o.csv' }, sql }),
    });
  }
  const refused = (pattern: RegExp) => (err: unknown) =>
    err instanceof UserError && pattern.test(err.message);

  it('loads what one SELECT over the sources gives', async () => {
    const report = await attempt(SELECT, 'ok');
    assert.deepEqual([report.read, report.loaded], [1, 1]);
  });

  it('refuses a second statement, hidden in a dollar-quoted string or not', async () => {
    await assert.rejects(
      attempt(`${SELECT}; COPY (SELECT 1) TO 'x.csv'`, 'two'),
      refused(/the mapping's sql: give exactly one SELECT statement \(found 2\)/),
    );
    await assert.rejects(
      attempt(`SELECT $$ $:x ; COPY (SELECT 1) TO 'x.csv'; SELECT $:y $$ AS z`, 'dollar'),
      // One statement: a SELECT of a string, so it runs (and fails validation for want of columns), writing nothing.
      refused(/source has no column/),
    );
  });

  it('reports a query that fails as it runs (a bad cast) as a mistake in the mapping', async () => {
    await assert.rejects(
      attempt(`SELECT CAST(order_id AS INTEGER) AS n FROM o`, 'cast'),
      refused(/the mapping's sql fails: Conversion Error/),
    );
  });

  it('refuses statements that are not SELECT and any file outside the sources', async () => {
    await assert.rejects(
      attempt(`ATTACH '${join(dir, 'x.db')}' AS x`, 'attach'),
      refused(/the mapping's sql: only a SELECT query is allowed/),
    );
    await assert.rejects(
      attempt(`SELECT * FROM read_csv('${join(dir, 'secret.csv')}')`, 'read'),
      refused(/fails/),
    );
    writeText(join(dir, 'up', 'o.csv'), 'order_id\nA1\n');
    await assert.rejects(
      ingest({
        dataDir: join(dir, 'up-data'),
        table: TABLES.orders,
        input: join(dir, 'up'),
        mapping: mappingSchema.parse({ sources: { o: '../secret.csv' }, sql: SELECT }),
      }),
      refused(/name a file inside/),
    );
  });
});
