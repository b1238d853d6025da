export { tempDir, writeText } from './files.js';
export { lcg, PYREF_PYTHON, pyref, pyrefSkip } from './pyref.js';

/** CSV text from a header and rows (fixtures have no commas inside fields). */
export function csv(header: string, rows: (string | number)[][]): string {
  return `${[header, ...rows.map((r) => r.join(','))].join('\n')}\n`;
}

export {
  CLICK_HEADER as CLICKSTREAM_HEADER,
  CUSTOMER_HEADER as CUSTOMERS_HEADER,
  ORDER_HEADER as ORDERS_HEADER,
} from '../seed/index.js';
