import { createRequire } from 'node:module';
import type * as NodeApi from '@duckdb/node-api';

// DuckDB's client is CommonJS. Imported from ESM, Node first scans every one of its ~180 files for
// named exports (cjs-module-lexer), which costs more than loading them: require() loads the same module
// in about a third of the time (~70 ms instead of ~180 ms measured on a 2-core machine, issue 15).
const require = createRequire(import.meta.url);

/** DuckDB's Node client (@duckdb/node-api), loaded when the first session opens (see session.ts). */
export const duckdb: typeof NodeApi = require('@duckdb/node-api');
