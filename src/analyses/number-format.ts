/**
 * A finite number as en-US text with thousands separators and between `minDigits` and `maxDigits`
 * decimals, exactly as `toLocaleString('en-US', …)` writes it (1234.5 → '1,234.50' with 2 and 2). Written
 * by hand because the first use of Intl in a process loads ICU's locale data, 40–70 ms on a 2-core
 * machine: more than the seed's whole awk run that `shoplake query sales-by-region` is measured against.
 * Like Intl, it rounds the number's shortest decimal form half away from zero (1.005 → '1.01').
 */
export function formatNumber(value: number, minDigits = 0, maxDigits = 3): string {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21) return value.toLocaleString('en-US');
  const [whole = '0', fraction = ''] = plainDecimal(Math.abs(value)).split('.');
  const [roundedWhole, roundedFraction] = roundDigits(whole, fraction, maxDigits);
  let digits = roundedFraction.replace(/0+$/, '');
  if (digits.length < minDigits) digits = digits.padEnd(minDigits, '0');
  const grouped = roundedWhole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  // Intl keeps the sign of a negative number that rounds to zero ('-0.00'), and of -0.
  const negative = value < 0 || Object.is(value, -0);
  return `${negative ? '-' : ''}${grouped}${digits ? `.${digits}` : ''}`;
}

// The shortest decimal form of a non-negative number below 1e21, without an exponent (5e-7 → 0.0000005).
function plainDecimal(abs: number): string {
  const text = String(abs);
  const m = /^(\d)(?:\.(\d+))?e-(\d+)$/.exec(text);
  if (!m) return text;
  return `0.${'0'.repeat(Number(m[3]) - 1)}${m[1]}${m[2] ?? ''}`;
}

// Decimal digits rounded to `places` after the point, half away from zero, on the text (no binary error).
function roundDigits(whole: string, fraction: string, places: number): [string, string] {
  if (fraction.length <= places) return [whole, fraction];
  const kept = `${whole}${fraction.slice(0, places)}`;
  if ((fraction[places] ?? '0') < '5') return [whole, fraction.slice(0, places)];
  const digits = kept.split('');
  let i = digits.length - 1;
  for (; i >= 0 && digits[i] === '9'; i--) digits[i] = '0';
  if (i >= 0) digits[i] = String(Number(digits[i]) + 1);
  else digits.unshift('1');
  const up = digits.join('');
  return [up.slice(0, up.length - places) || '0', up.slice(up.length - places)];
}
