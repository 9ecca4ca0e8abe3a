const tokenFormat = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** "1.2K tokens" style, for meters and per-reply footers. */
export function formatTokens(tokens: number): string {
  return tokens < 1000 ? String(tokens) : tokenFormat.format(tokens);
}

/** Dollars from a decimal string: "$0.0042", "$12.30"; tiny non-zero sums show as "<$0.0001". */
export function formatCost(decimal: string): string {
  const value = Number(decimal);
  if (!Number.isFinite(value)) return `$${decimal}`;
  if (value === 0) return '$0';
  if (value < 0.0001) return '<$0.0001';
  if (value < 1) return `$${value.toFixed(4).replace(/0+$/, '').replace(/\.$/, '')}`;
  return `$${value.toFixed(2)}`;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });

export function formatTime(date: Date): string {
  return Number.isNaN(date.getTime()) ? '' : timeFormat.format(date);
}
