/**
 * Exact money arithmetic on decimal strings. Values are held as BigInt counts of 10⁻¹⁰ dollars,
 * the scale of the database's numeric(20,10) columns, so sums never drift the way floats do
 * (0.1 + 0.2 is "0.3", not 0.30000000000000004). Results come back as canonical strings with no
 * trailing zeros ("0.007", "12.5", "0"), which `decimalSchema` in protocol/records accepts.
 */

/** Decimal places kept: matches numeric(20,10). */
export const MONEY_SCALE = 10;

// BigInt() calls, not `0n` literals: literals need an ES2020 target, and apps created by
// create-next-app still compile for ES2017.
const ZERO = BigInt(0);
const ONE = BigInt(1);
const TWO = BigInt(2);
const TEN = BigInt(10);
const UNIT = TEN ** BigInt(MONEY_SCALE);
const MILLION = BigInt(1_000_000);
const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string into 10⁻¹⁰ units; digits past the 10th place are rounded half up. */
export function parseMoney(value: string): bigint {
  const match = DECIMAL_PATTERN.exec(value.trim());
  if (!match) throw new RangeError(`Not a decimal amount: ${JSON.stringify(value)}`);
  const [, sign, whole = '0', fraction = ''] = match;
  const kept = fraction.slice(0, MONEY_SCALE).padEnd(MONEY_SCALE, '0');
  let units = BigInt(whole) * UNIT + BigInt(kept);
  const nextDigit = fraction.charCodeAt(MONEY_SCALE) - 48;
  if (nextDigit >= 5) units += ONE;
  return sign ? -units : units;
}

/** Whether `value` is a decimal string `parseMoney` accepts. */
export function isDecimal(value: string): boolean {
  return DECIMAL_PATTERN.test(value.trim());
}

/** Formats 10⁻¹⁰ units as a canonical decimal string without trailing zeros. */
export function toMoneyString(units: bigint): string {
  const negative = units < ZERO;
  const abs = negative ? -units : units;
  const whole = abs / UNIT;
  const fraction = (abs % UNIT).toString().padStart(MONEY_SCALE, '0').replace(/0+$/, '');
  const text = fraction ? `${whole}.${fraction}` : `${whole}`;
  return negative ? `-${text}` : text;
}

/** The same amount with exactly `scale` decimal places, e.g. for a numeric(20,10) parameter. */
export function toFixedMoney(value: string, scale: number = MONEY_SCALE): string {
  const units = roundUnits(parseMoney(value), scale);
  const negative = units < ZERO;
  const abs = negative ? -units : units;
  const whole = abs / UNIT;
  const fraction = (abs % UNIT).toString().padStart(MONEY_SCALE, '0').slice(0, scale);
  const text = scale > 0 ? `${whole}.${fraction}` : `${whole}`;
  return negative ? `-${text}` : text;
}

/** The exact sum of decimal strings. */
export function addMoney(...values: readonly string[]): string {
  let total = ZERO;
  for (const value of values) total += parseMoney(value);
  return toMoneyString(total);
}

/** `a - b`, exactly (may be negative). */
export function subtractMoney(a: string, b: string): string {
  return toMoneyString(parseMoney(a) - parseMoney(b));
}

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export function compareMoney(a: string, b: string): -1 | 0 | 1 {
  const difference = parseMoney(a) - parseMoney(b);
  return difference === ZERO ? 0 : difference < ZERO ? -1 : 1;
}

/**
 * `tokens × pricePerMillion / 1,000,000` in 10⁻¹⁶ units (10⁻¹⁰ × 10⁻⁶), i.e. before the final
 * division, so several line items can be summed exactly and rounded once.
 */
export function tokenCostNumerator(tokens: number, pricePerMillion: string): bigint {
  if (!Number.isSafeInteger(tokens) || tokens < 0) {
    throw new RangeError(`Token count must be a non-negative integer, got ${tokens}`);
  }
  return BigInt(tokens) * parseMoney(pricePerMillion);
}

/** Turns a sum of `tokenCostNumerator` values into a decimal string, rounding half up once. */
export function numeratorToMoney(numerator: bigint): string {
  return toMoneyString(divideRoundHalfUp(numerator, MILLION));
}

/** What `tokens` cost at `pricePerMillion` dollars per million tokens, as a decimal string. */
export function costForTokens(tokens: number, pricePerMillion: string): string {
  return numeratorToMoney(tokenCostNumerator(tokens, pricePerMillion));
}

export interface FormatUsdOptions {
  /** Decimal places shown for amounts under $1 (default 4: "$0.0123"). */
  smallAmountDigits?: number;
}

/**
 * A dollar amount for people: two decimals from $1 up ("$1,234.57"), up to four below ("$0.0123",
 * "$0.50"), and "<$0.0001" for a cost too small to show rather than a misleading "$0.00".
 */
export function formatUsd(value: string, options: FormatUsdOptions = {}): string {
  const smallDigits = options.smallAmountDigits ?? 4;
  const units = parseMoney(value);
  const negative = units < ZERO;
  const abs = negative ? -units : units;
  const sign = negative ? '-' : '';
  if (abs === ZERO) return '$0.00';

  const digits = abs >= UNIT ? 2 : smallDigits;
  const rounded = roundUnits(abs, digits);
  if (rounded === ZERO) return `${sign}<$${(1 / 10 ** digits).toFixed(digits)}`;

  const whole = (rounded / UNIT).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  let fraction = (rounded % UNIT).toString().padStart(MONEY_SCALE, '0').slice(0, digits);
  // Keep at least cents, drop zeros past them: "$0.50", not "$0.5000".
  fraction = fraction.replace(/0+$/, '').padEnd(2, '0');
  return `${sign}$${whole}.${fraction}`;
}

function roundUnits(units: bigint, scale: number): bigint {
  if (scale >= MONEY_SCALE) return units;
  const step = TEN ** BigInt(MONEY_SCALE - scale);
  return divideRoundHalfUp(units, step) * step;
}

function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < ZERO;
  const abs = negative ? -numerator : numerator;
  const quotient = (abs + denominator / TWO) / denominator;
  return negative ? -quotient : quotient;
}
