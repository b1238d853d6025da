import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../engines/testing.js';
import { TABLES } from '../lake/index.js';
import { csv, ORDERS_HEADER, orderLine, tempDir, writeText } from '../testing/index.js';
import { ingest, loadMapping } from './index.js';

async function lakeRows(data: string, sql: string): Promise<Record<string, unknown>[]> {
  const engine = await DuckDbEngine.open(data);
  try {
    return await engine.query(sql);
  } finally {
    await engine.close();
  }
}

// Real exports break in ways generated data does not; each case here is one an audit found.

function reasons(file: string | null): { line: number; reason: string }[] {
  assert.ok(file, 'expected a quarantine file');
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('ingest of messy CSV exports', () => {
  let dir: string;
  let cleanup: () => void;
  before(() => ({ dir, cleanup } = tempDir()));
  after(() => cleanup());

  it('keeps the header of a short file whose last row has an extra field, and quarantines that row', async () => {
    // DuckDB's sniffer took line 4 for the header and skipped lines 1–3: the run failed with
    // "source has no column order_id … (it has Q3, C1, …)" instead of loading two rows.
    const text = csv(ORDERS_HEADER, [
      orderLine('Q1', 1, 10),
      orderLine('Q2', 1, 10),
      [...orderLine('Q3', 1, 10), 'x'],
    ]);
    const input = writeText(join(dir, 'extra-field', 'orders.csv'), text);
    const report = await ingest({ dataDir: join(dir, 'd1'), table: TABLES.orders, input });
    assert.deepEqual([report.read, report.loaded, report.quarantined], [3, 2, 1]);
    const bad = reasons(report.quarantineFile);
    assert.equal(bad.length, 1);
    assert.equal(bad[0]?.line, 4);
    assert.match(bad[0]?.reason ?? '', /unreadable CSV line/);
  });

  it('reads optional columns whose header differs from the lake name in case or spaces', async () => {
    // `Customer_ID` and `Discount` were not read: the order loaded as a guest's, and the discount's line
    // was quarantined for a total that did not match.
    const header =
      'Order_ID,Customer ID,product_id,Product_Name,quantity,price,total_amount,order_date,STATUS,region,Discount';
    const input = writeText(
      join(dir, 'case', 'orders.csv'),
      `${header}\nB1,C7,P1,Widget,2,10.00,19.00,2026-11-03 10:00:00,COMPLETED,US-EAST,1.00\n`,
    );
    const data = join(dir, 'd2');
    const report = await ingest({ dataDir: data, table: TABLES.orders, input });
    assert.deepEqual([report.read, report.loaded, report.quarantined], [1, 1, 0]);
    const rows = await lakeRows(data, 'SELECT customer_id, CAST(discount AS VARCHAR) AS d FROM orders');
    assert.deepEqual(rows, [{ customer_id: 'C7', d: '1.0000' }]);
  });

  it('refuses two source columns that both read as one lake column', async () => {
    const header = `${ORDERS_HEADER.replace('customer_id', 'Customer_ID')},Customer ID`;
    const input = writeText(
      join(dir, 'twice', 'orders.csv'),
      `${header}\n${orderLine('B1', 1, 10).join(',')},C9\n`,
    );
    await assert.rejects(
      ingest({ dataDir: join(dir, 'd3'), table: TABLES.orders, input }),
      (err: Error) =>
        err.name === 'UserError' && /Customer_ID and Customer ID both read as customer_id/.test(err.message),
    );
  });

  it('says a semicolon-separated export is not comma-separated, instead of listing one odd column', async () => {
    const text = csv(ORDERS_HEADER, [orderLine('S1', 1, 10)]).replaceAll(',', ';');
    const input = writeText(join(dir, 'semicolon', 'orders.csv'), text);
    await assert.rejects(
      ingest({ dataDir: join(dir, 'd4'), table: TABLES.orders, input }),
      (err: Error) => err.name === 'UserError' && /separated by ';'.*export it with commas/.test(err.message),
    );
  });

  it('quarantines an id written as NULL, and loads it as missing where the mapping says so', async () => {
    // customer_id "NULL" loaded as a customer "NULL": every guest order of the file became one customer.
    const rows = [orderLine('N1', 1, 10), orderLine('N2', 1, 10), orderLine('N3', 1, 10)];
    const [, n2, n3] = rows;
    if (n2) n2[1] = 'NULL';
    if (n3) n3[1] = 'n/a';
    const input = writeText(join(dir, 'null', 'orders.csv'), csv(ORDERS_HEADER, rows));
    const report = await ingest({ dataDir: join(dir, 'd5'), table: TABLES.orders, input });
    assert.deepEqual([report.read, report.loaded, report.quarantined], [3, 1, 2]);
    const bad = reasons(report.quarantineFile);
    assert.equal(bad[0]?.line, 3);
    assert.match(bad[0]?.reason ?? '', /^customer_id: 'NULL' stands for a missing value/);
    // A mapping's values translating to '' make the value missing (it was kept as '' and refused).
    const map = writeText(
      join(dir, 'null', 'map.yaml'),
      'columns:\n  customer_id: { column: customer_id, values: { "NULL": "", "n/a": "" } }\n',
    );
    const data = join(dir, 'd6');
    const mapped = await ingest({ dataDir: data, table: TABLES.orders, input, mapping: loadMapping(map) });
    assert.deepEqual([mapped.loaded, mapped.quarantined], [3, 0]);
    const rowsIn = await lakeRows(data, 'SELECT order_id, customer_id FROM orders ORDER BY order_id');
    assert.deepEqual(rowsIn, [
      { order_id: 'N1', customer_id: 'CUST00001' },
      { order_id: 'N2', customer_id: null },
      { order_id: 'N3', customer_id: null },
    ]);
  });

  it("refuses a mapping's date format that strptime does not know as a user error naming the column", async () => {
    // It failed inside DuckDB as "internal error: … Unrecognized format … %Q" (exit 1).
    const input = writeText(join(dir, 'format', 'orders.csv'), csv(ORDERS_HEADER, [orderLine('F1', 1, 10)]));
    const map = writeText(
      join(dir, 'format', 'map.yaml'),
      'columns:\n  order_date: { column: order_date, format: "%Q" }\n',
    );
    await assert.rejects(
      ingest({ dataDir: join(dir, 'd7'), table: TABLES.orders, input, mapping: loadMapping(map) }),
      (err: Error) =>
        err.name === 'UserError' && /order_date: format '%Q' is not a strptime format/.test(err.message),
    );
  });

  it('keeps the fraction of a second a mapping format reads, as a load without a mapping does', async () => {
    // format auto chose %Y-%m-%dT%H:%M:%S.%fZ and both orders loaded at 10:00:00 (the fraction dropped).
    const header = ORDERS_HEADER.replace('order_date', 'placed');
    const rows = [
      orderLine('M1', 1, 10, '2026-11-03T10:00:00.750Z'),
      orderLine('M2', 1, 10, '2026-11-03T08:00:00.250Z'),
    ];
    const input = writeText(join(dir, 'millis', 'orders.csv'), csv(header, rows));
    const map = writeText(
      join(dir, 'millis', 'map.yaml'),
      'columns:\n  order_date: { column: placed, format: auto }\n',
    );
    const data = join(dir, 'd8');
    const report = await ingest({ dataDir: data, table: TABLES.orders, input, mapping: loadMapping(map) });
    assert.equal(report.loaded, 2);
    const got = await lakeRows(
      data,
      'SELECT order_id, CAST(order_date AS VARCHAR) AS t FROM orders ORDER BY order_id',
    );
    assert.deepEqual(got, [
      { order_id: 'M1', t: '2026-11-03 10:00:00.75' },
      { order_id: 'M2', t: '2026-11-03 08:00:00.25' },
    ]);
  });

  it('says which files of an input directory it did not read', async () => {
    // orders-2.csv.gz was left out without a word, and its rows with it.
    const folder = join(dir, 'folder');
    writeText(join(folder, 'orders-1.csv'), csv(ORDERS_HEADER, [orderLine('G1', 1, 10)]));
    writeText(join(folder, 'orders-2.csv.gz'), 'not read');
    writeText(join(folder, '.DS_Store'), 'hidden');
    const report = await ingest({ dataDir: join(dir, 'd9'), table: TABLES.orders, input: folder });
    assert.equal(report.loaded, 1);
    assert.deepEqual(
      report.notes.filter((n) => n.startsWith('not read')),
      [
        'not read: orders-2.csv.gz: only .csv, .tsv, .ndjson, .jsonl, .json and .parquet files are (unpack a .gz or .zip first)',
      ],
    );
  });

  it('points at the line of the file a bad row is on, after a field with line breaks and blank lines', async () => {
    // DuckDB numbers records, not lines: Q2 (line 6) was reported at line 3, Q3 (7) at 4, Q5 (10) at 6.
    const row = (id: string, total: string, extra = '') =>
      `${id},C1,P1,W,1,10.00,${total},2026-11-03 10:00:00,COMPLETED,US-EAST${extra}`;
    const text = [
      ORDERS_HEADER, // 1
      'Q1,C1,P1,"Multi', // 2
      'line ""quoted""', // 3
      '', // 4 (inside the quotes)
      'name",1,10.00,10.00,2026-11-03 10:00:00,COMPLETED,US-EAST', // 5
      row('Q2', '99.00'), // 6: wrong total
      row('Q3', '10.00', ',x'), // 7: an extra field
      '', // 8: blank
      row('Q4', '10.00'), // 9
      row('Q5', '99.00'), // 10: wrong total
      '',
    ].join('\r\n');
    const input = writeText(join(dir, 'lines', 'orders.csv'), text);
    const report = await ingest({ dataDir: join(dir, 'd10'), table: TABLES.orders, input });
    assert.deepEqual([report.read, report.loaded, report.quarantined], [5, 2, 3]);
    assert.deepEqual(
      reasons(report.quarantineFile).map((r) => [r.line, r.reason.slice(0, 24)]),
      [
        [6, 'total_amount: must equal'],
        [7, 'unreadable CSV line: Exp'],
        [10, 'total_amount: must equal'],
      ],
    );
  });

  it('says how to write an amount a spreadsheet formatted ($1,200.00, 12,50, (12.50))', async () => {
    const header = ORDERS_HEADER;
    const rows = [
      'K1,C1,P1,W,1,"$1,200.00",1200.00,2026-11-03 10:00:00,COMPLETED,US-EAST',
      'K2,C1,P1,W,-1,12.50,(12.50),2026-11-03 10:00:00,COMPLETED,US-EAST',
      'K3,C1,P1,W,1,abc,10,2026-11-03 10:00:00,COMPLETED,US-EAST',
    ];
    const input = writeText(join(dir, 'money', 'orders.csv'), `${header}\n${rows.join('\n')}\n`);
    const report = await ingest({ dataDir: join(dir, 'd11'), table: TABLES.orders, input });
    const got = reasons(report.quarantineFile).map((r) => r.reason);
    const hint =
      /^(price|total_amount): not an amount: '[^']+'; write numbers plainly \(-1234\.50: no currency sign/;
    assert.match(got[0] ?? '', hint);
    assert.match(got[1] ?? '', hint);
    // Text that is no number at all gets no advice about formatting.
    assert.equal(got[2], "price: not an amount: 'abc'");
  });

  it('says a UTF-16 export must be saved as UTF-8', async () => {
    // DuckDB's "CSV Error on Line: 1" did not say what was wrong.
    const text = csv(ORDERS_HEADER, [orderLine('W1', 1, 10)]);
    const input = writeText(join(dir, 'utf16', 'orders.csv'), '');
    writeFileSync(input, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    await assert.rejects(
      ingest({ dataDir: join(dir, 'd12'), table: TABLES.orders, input }),
      (err: Error) => err.name === 'UserError' && /is UTF-16 text: save it as UTF-8/.test(err.message),
    );
  });

  it('refuses a header that names a column twice', async () => {
    // The second price column was renamed price_1 by DuckDB and dropped without a word.
    const input = writeText(
      join(dir, 'twice-named', 'orders.csv'),
      `${ORDERS_HEADER},price\n${orderLine('H1', 1, 10).join(',')},12.00\n`,
    );
    await assert.rejects(
      ingest({ dataDir: join(dir, 'd13'), table: TABLES.orders, input }),
      (err: Error) => err.name === 'UserError' && /the header names 'price' more than once/.test(err.message),
    );
  });

  it('says when --replace found nothing to replace (a renamed export)', async () => {
    // The second export, under another name, has the order's status gone from PENDING to COMPLETED:
    // --replace replaced nothing and said nothing, and the order had both lines.
    const data = join(dir, 'd14');
    const first = writeText(
      join(dir, 'renamed', 'export-1.csv'),
      csv(ORDERS_HEADER, [orderLine('R1', 1, 10, undefined, 'PENDING')]),
    );
    const second = writeText(
      join(dir, 'renamed', 'export-2.csv'),
      csv(ORDERS_HEADER, [orderLine('R1', 1, 10)]),
    );
    await ingest({ dataDir: data, table: TABLES.orders, input: first });
    const report = await ingest({ dataDir: data, table: TABLES.orders, input: second, replace: true });
    assert.deepEqual(report.replaced, []);
    assert.equal(
      report.notes.filter((n) => n.startsWith('--replace: no earlier orders batch came from')).length,
      1,
    );
    // Run again under the same name, it replaces its own batch and says nothing more.
    const again = await ingest({ dataDir: data, table: TABLES.orders, input: second, replace: true });
    assert.deepEqual(again.replaced, [report.batch]);
    assert.deepEqual(again.notes, []);
  });
});
