export { tempDir, writeText } from './files.js';
export { lcg, PYREF_PYTHON, pyref, pyrefSkip } from './pyref.js';

/** CSV text from a header and rows (fixtures have no commas inside fields). */
/** One seed-format order line (customer CUST00001, one laptop, US-EAST), its total = quantity × price. */
export function orderLine(
  id: string,
  qty: number,
  price: number,
  at = '2026-11-01 10:00:00',
  status = 'COMPLETED',
): (string | number)[] {
  const total = (qty * price).toFixed(2);
  return [id, 'CUST00001', 'LAPTOP001', 'Gaming Laptop', qty, price.toFixed(2), total, at, status, 'US-EAST'];
}

export function csv(header: string, rows: (string | number)[][]): string {
  return `${[header, ...rows.map((r) => r.join(','))].join('\n')}\n`;
}

export {
  CLICK_HEADER as CLICKSTREAM_HEADER,
  CUSTOMER_HEADER as CUSTOMERS_HEADER,
  ORDER_HEADER as ORDERS_HEADER,
} from '../seed/index.js';
