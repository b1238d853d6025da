// Bundles the CLI into dist/cli/ for bin/shoplake.js (issue 15: start-up). Loaded from tsc's output as
// ~200 ES modules, a `shoplake query` process spent more CPU resolving, reading and scanning modules
// than running them. esbuild packs the same sources into a few files; code splitting keeps every
// command loaded on demand. tsc still type-checks everything and builds dist/src/, which the tests,
// the benchmarks and the collector's compaction process use.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const outdir = join(root, 'dist', 'cli');

// Packages bundled in. On the path of every `query`: zod (95 small ES modules); commander, ml-matrix and
// DuckDB's JavaScript client, CommonJS that Node scans for export names when an ES module imports it, or
// loads file by file (DuckDB's client: ~180 files). For `serve` and `--help`: hono (35 modules),
// @hono/node-server, csv-stringify, the Grafana SDK. Every other package stays external and loads from
// node_modules as before: DuckDB's native binding, packages that read their own files at run time
// (i18n-iso-countries, grpc's proto loader, playwright), and the rest.
const BUNDLED_PACKAGES = [
  /^zod(\/|$)/,
  /^commander$/,
  /^ml-matrix$/,
  /^@duckdb\/node-api$/,
  /^hono(\/|$)/,
  /^@hono\/node-server$/,
  /^csv-stringify(\/|$)/,
  /^@grafana\//,
];

// The two modules whose loading differs in a bundle, replaced by equivalents with the same exports.
const REPLACED = {
  // The catalog, discovered in catalog/ at run time by tsc's build, is listed from the same folder
  // at build time: a bundle has no catalog/ folder to read. Adding an analysis still touches one file.
  [join('analyses', 'catalog-modules.ts')]: () => {
    const names = readdirSync(join(src, 'analyses', 'catalog'))
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.test-helper.ts'))
      .map((f) => f.slice(0, -'.ts'.length))
      .sort();
    // One chunk for the whole catalog: `query --list` needs all of it, and one analysis alone saves
    // less than loading a file costs.
    return [
      ...names.map((n, i) => `import * as m${i} from ${JSON.stringify(`./catalog/${n}.ts`)};`),
      `const modules = { ${names.map((n, i) => `${JSON.stringify(n)}: m${i}`).join(', ')} };`,
      'export function catalogModuleNames() { return Object.keys(modules); }',
      'export function hasCatalogModule(name) { return Object.hasOwn(modules, name); }',
      'export function importCatalogModule(name) { return Promise.resolve(modules[name]); }',
    ].join('\n');
  },
  // tsc's build require()s DuckDB's client to skip Node's export scan; bundled, an import is cheaper.
  [join('duckdb', 'client.ts')]: () => "import * as api from '@duckdb/node-api';\nexport const duckdb = api;",
};

const shoplakeLayout = {
  name: 'shoplake-layout',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      BUNDLED_PACKAGES.some((p) => p.test(args.path)) ? undefined : { path: args.path, external: true },
    );
    // zod re-exports its ~60 message translations as `z.locales`, so bundling `z` would keep all of
    // them (two thirds of zod's code) although shoplake never switches zod's locale. Only English, the
    // default zod sets itself, is kept.
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[/\\]node_modules[/\\]zod[/\\]/.test(args.importer)
        ? { path: 'zod-locales-en', namespace: 'shoplake' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'shoplake' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
      loader: 'js',
    }));
    b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, (args) => {
      const file = relative(src, args.path);
      const replaced = REPLACED[file];
      if (replaced) return { contents: replaced(), loader: 'js', resolveDir: dirname(args.path) };
      // A module that finds files next to itself (the compaction process, the dashboard's pages, the
      // Spark protos, packages through createRequire) keeps the URL tsc's build gives it in dist/src/.
      const built = relative(outdir, join(root, 'dist', 'src', file.replace(/\.ts$/, '.js')));
      const url = `new URL(${JSON.stringify(built.split(sep).join('/'))}, import.meta.url).href`;
      return { contents: readFileSync(args.path, 'utf8').replaceAll('import.meta.url', url), loader: 'ts' };
    });
  },
};

await build({
  absWorkingDir: root,
  entryPoints: { main: 'src/cli/main.ts' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  // Bundled CommonJS calls require() for Node's modules and the external packages; give it one.
  banner: {
    js: "import { createRequire as __shoplakeRequire } from 'node:module';\nconst require = __shoplakeRequire(import.meta.url);",
  },
  plugins: [shoplakeLayout],
});
