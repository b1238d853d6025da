import assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findAnalysis, runAnalysis } from '../analyses/index.js';
import { DuckDbSession, httpfsExtensionInstalled } from '../duckdb/index.js';
import { openEngine } from '../engines/index.js';
import { isUserError } from '../errors/index.js';
import { scoreUnscored } from '../fraud/index.js';
import { generate, generateDefaults } from '../generate/index.js';
import { buildLake, ingest } from '../ingest/index.js';
import { dataLayout, liveFiles, readSealedFile, TABLES, tableDirectory } from '../lake/index.js';
import { LakeStats } from '../monitoring/index.js';
import { CUSTOMERS_HEADER, csv, tempDir, writeText } from '../testing/index.js';
import { eraseCustomer } from './index.js';

// Writing an encrypted lake needs DuckDB's httpfs extension (npm run setup:encryption); without it these
// tests skip, except under CI, where they must run.
const SKIP =
  !httpfsExtensionInstalled() && process.env.CI !== 'true'
    ? 'httpfs extension not installed (npm run setup:encryption)'
    : false;

const KEY = Buffer.alloc(32, 0x33).toString('base64');
const OTHER_KEY = Buffer.alloc(32, 0x44).toString('base64');
const SIZE = { orders: 1500, customers: 200, events: 4000, days: 10, seed: 5 };
const ANALYSES = [
  'sales-by-region',
  'customer-tiers',
  'purchases-by-device',
  'top-products',
  'revenue-by-day',
  'order-status',
  'funnel',
  'sessions',
  'conversion-by-device',
  'rfm',
  'rfm-customers',
  'cohort-retention',
  'fraud-alerts',
];

function withKey<T>(key: string | undefined, work: () => Promise<T>): Promise<T> {
  const saved = process.env.SHOPLAKE_ENCRYPTION_KEY;
  if (key === undefined) delete process.env.SHOPLAKE_ENCRYPTION_KEY;
  else process.env.SHOPLAKE_ENCRYPTION_KEY = key;
  return work().finally(() => {
    if (saved === undefined) delete process.env.SHOPLAKE_ENCRYPTION_KEY;
    else process.env.SHOPLAKE_ENCRYPTION_KEY = saved;
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

// Every email of the generated customers, read from the CSV (column 4), independently of the lake.
function generatedEmails(customersCsv: string): string[] {
  return readFileSync(customersCsv, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[3] ?? '')
    .filter((e) => e.includes('@'));
}

describe('encryption at rest: an encrypted lake answers as the plain one and holds no plain email', {
  skip: SKIP,
}, () => {
  let root: string;
  let cleanup: () => void;
  let plain: string;
  let encrypted: string;
  let emails: string[];

  // The same generated exports loaded into two data directories; the exports stay outside them
  // (raw/ is the user's own input, which shoplake never rewrites), plus one quarantined and one
  // duplicated customer row carrying an email, so both kinds of reports exist.
  async function load(dir: string): Promise<void> {
    cpSync(join(root, 'src', 'raw'), join(dir, 'raw'), { recursive: true });
    await buildLake(dir);
    // Fraud scores: one more write path (the fraud store's ingest), at the same clock for both lakes.
    await scoreUnscored(dir, Date.parse('2026-11-25T12:00:00Z'));
    rmSync(join(dir, 'raw'), { recursive: true });
    const extra = writeText(
      join(root, 'extra-customers.csv'),
      csv(CUSTOMERS_HEADER, [
        [
          'CX9',
          'Zed',
          'Quarantined',
          'zed.quarantined@example.net',
          'Oslo',
          'EU-WEST',
          '2024-01-01',
          '1.00',
          'NOPE',
        ],
        ['CX8', 'Yan', 'Twice', 'yan.twice@example.net', 'Oslo', 'EU-WEST', '2024-01-01', '1.00', 'GOLD'],
        ['CX8', 'Yan', 'Twice', 'yan.twice@example.net', 'Oslo', 'EU-WEST', '2024-01-01', '1.00', 'GOLD'],
      ]),
    );
    await ingest({ dataDir: dir, table: TABLES.customers, input: extra, maxRejects: { count: 5 } });
  }

  before(async () => {
    const t = tempDir('shoplake-encryption-');
    root = t.dir;
    cleanup = t.cleanup;
    await generate({
      ...generateDefaults,
      ...SIZE,
      asOf: new Date('2026-11-25T00:00:00Z'),
      out: join(root, 'src'),
    });
    emails = [
      ...generatedEmails(join(root, 'src', 'raw', 'customers', 'customers.csv')),
      'zed.quarantined@example.net',
      'yan.twice@example.net',
    ];
    plain = join(root, 'plain');
    encrypted = join(root, 'encrypted');
    await withKey(undefined, () => load(plain));
    await withKey(KEY, () => load(encrypted));
  });
  after(() => cleanup());

  it('gives the same result for every analysis as the unencrypted lake', async () => {
    assert.ok(emails.length >= SIZE.customers, 'the generated customers have emails');
    const results = async (dir: string) => {
      const engine = await openEngine({ dataDir: dir });
      try {
        const out: Record<string, unknown> = {};
        for (const name of ANALYSES) out[name] = await runAnalysis(engine, await findAnalysis(name), {});
        out.customers = await engine.query('SELECT * FROM customers ORDER BY customer_id');
        return out;
      } finally {
        await engine.close();
      }
    };
    const want = await withKey(undefined, () => results(plain));
    const got = await withKey(KEY, () => results(encrypted));
    assert.equal((want.customers as unknown[]).length, SIZE.customers + 1, 'the generated customers and CX8');
    for (const name of [...ANALYSES, 'customers']) assert.deepEqual(got[name], want[name], name);
  });

  it('loads more orders and measures the lake as the plain one does (duplicates found, rows counted)', async () => {
    // The first generated order line again, plus a new one: one duplicate, one loaded, on both lakes.
    const first = readFileSync(join(root, 'src', 'raw', 'orders', 'orders.csv'), 'utf8')
      .split('\n')
      .slice(0, 2);
    const more = writeText(
      join(root, 'more-orders.csv'),
      `${first.join('\n')}\nOZZ1,CX8,P1,Pen,1,2.50,2.50,2026-11-20 10:00:00,COMPLETED,US-EAST\n`,
    );
    const loadMore = async (dir: string) => {
      const r = await ingest({ dataDir: dir, table: TABLES.orders, input: more });
      const db = await DuckDbSession.open({ threads: 1 });
      try {
        const stats = await new LakeStats(dataLayout(dir)).measure(db);
        return {
          loaded: r.loaded,
          duplicate: r.duplicate,
          rows: Object.fromEntries([...stats].map(([t, s]) => [t, s.rows])),
        };
      } finally {
        db.close();
      }
    };
    const want = await withKey(undefined, () => loadMore(plain));
    const got = await withKey(KEY, () => loadMore(encrypted));
    assert.deepEqual([want.loaded, want.duplicate], [1, 1]);
    const csvLines =
      readFileSync(join(root, 'src', 'raw', 'orders', 'orders.csv'), 'utf8')
        .trim()
        .split('\n').length - 1;
    assert.equal(want.rows.orders, csvLines + 1, 'every exported order line and the new one');
    assert.deepEqual(got, want);
  });

  it('holds no customer email in any file under the data directory (the plain lake does)', () => {
    const leaks = (dir: string) => {
      const found = new Set<string>();
      for (const file of filesUnder(dir)) {
        const bytes = readFileSync(file);
        for (const email of emails) if (bytes.includes(email)) found.add(`${file}: ${email}`);
      }
      return [...found];
    };
    // The check can fail: the unencrypted lake has emails in its Parquet files and both reports.
    const plainLeaks = leaks(plain);
    assert.ok(plainLeaks.some((l) => l.includes('/lake/customers/')));
    assert.ok(plainLeaks.some((l) => l.includes('/quarantine/') && l.includes('zed.quarantined')));
    assert.ok(plainLeaks.some((l) => l.includes('/duplicates/') && l.includes('yan.twice')));
    assert.deepEqual(leaks(encrypted), []);
  });

  it('writes Parquet modular encryption with an encrypted footer (magic PARE), which DuckDB cannot read keyless', async () => {
    const files = liveFiles(tableDirectory(dataLayout(encrypted), 'customers'));
    assert.ok(files.length > 0);
    for (const f of files) assert.equal(readFileSync(f).subarray(-4).toString('latin1'), 'PARE', f);
    const db = await withKey(undefined, () => DuckDbSession.open({ threads: 1 }));
    try {
      await assert.rejects(
        withKey(undefined, () => db.all(`SELECT count(*) FROM read_parquet('${files[0]}')`)),
        (err: unknown) => isUserError(err) && /the lake is encrypted: give its key/.test(err.message),
      );
    } finally {
      db.close();
    }
  });

  it('refuses with one line: no key, another key, a key for a plain lake, and Spark', async () => {
    const refused = (code: string, pattern: RegExp) => (err: unknown) =>
      isUserError(err) && err.code === code && pattern.test(err.message) && !err.message.includes('\n');
    await withKey(undefined, () =>
      assert.rejects(
        openEngine({ dataDir: encrypted }),
        refused('encrypted_lake', /is encrypted: give its key/),
      ),
    );
    await withKey(OTHER_KEY, () =>
      assert.rejects(
        openEngine({ dataDir: encrypted }),
        refused('wrong_key', /is not the lake's \(fingerprint/),
      ),
    );
    await withKey(OTHER_KEY, () =>
      assert.rejects(
        ingest({ dataDir: encrypted, table: TABLES.customers, input: join(root, 'extra-customers.csv') }),
        refused('wrong_key', /is not the lake's/),
      ),
    );
    await withKey(KEY, () =>
      assert.rejects(openEngine({ dataDir: plain }), refused('plain_lake', /written without encryption/)),
    );
    await withKey(KEY, () =>
      assert.rejects(
        openEngine({ dataDir: encrypted, kind: 'spark', spark: { remote: 'sc://127.0.0.1:1' } }),
        refused('encrypted_lake', /Spark engine cannot read encrypted lakes yet/),
      ),
    );
  });

  it('erases a person from the encrypted Parquet files and sealed reports, which stay sealed', async () => {
    await withKey(KEY, async () => {
      const db = await DuckDbSession.open({ threads: 1 });
      try {
        const report = await eraseCustomer(db, encrypted, 'CX8');
        assert.equal(report.tables.customers?.rows, 1);
        // The repeated CX8 row, from the sealed duplicates report.
        assert.deepEqual(
          report.reports.map((r) => [r.file.split('/')[0], r.lines]),
          [['duplicates', 1]],
        );
      } finally {
        db.close();
      }
      const engine = await openEngine({ dataDir: encrypted });
      try {
        assert.deepEqual(
          await engine.query("SELECT count(*) AS n FROM customers WHERE customer_id = 'CX8'"),
          [{ n: 0 }],
        );
      } finally {
        await engine.close();
      }
    });
    // Every report is still sealed lines only (an emptied one is empty), and the quarantine keeps Zed.
    const reports = [
      ...filesUnder(join(encrypted, 'duplicates')),
      ...filesUnder(join(encrypted, 'quarantine')),
    ];
    assert.ok(reports.length >= 2);
    for (const f of reports) assert.match(readFileSync(f, 'utf8'), /^(slk1:[A-Za-z0-9+/=]+\n)*$/, f);
    const quarantined = filesUnder(join(encrypted, 'quarantine')).map((f) =>
      withKey(KEY, async () => readSealedFile(f)),
    );
    assert.ok((await Promise.all(quarantined)).some((text) => text.includes('zed.quarantined@example.net')));
  });
});
