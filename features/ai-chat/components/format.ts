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

const dayFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric' });
const yearFormat = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', year: 'numeric' });

/**
 * When a message was said: the time alone today ("9:46 AM"), with the day before that ("Dec 4,
 * 9:46 AM"), and the year too when it is another year: an imported or old chat reads as old.
 */
export function formatWhen(date: Date, now: Date = new Date()): string {
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  if (sameDay) return timeFormat.format(date);
  const day = (date.getFullYear() === now.getFullYear() ? dayFormat : yearFormat).format(date);
  return `${day}, ${timeFormat.format(date)}`;
}

/**
 * A wait in words: "20 s", "3 min", "17 h", "2 days". Seconds and minutes round up (never
 * promise too early); hours and days round down, as people say "in 17 h" of 17 h 32 min.
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.min(59, Math.ceil(s / 60))} min`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86_400)} days`;
}

const monthDay = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' });

/**
 * When a limit's window resets, in words: "resets at midnight UTC, in 17 h", "resets at 14:30
 * UTC, in 3 h", "resets on 1 January at midnight UTC, in 31 days". UTC, as the server's windows are.
 */
export function formatResetsAt(resetsAt: Date, now: Date = new Date()): string {
  const seconds = (resetsAt.getTime() - now.getTime()) / 1000;
  if (!Number.isFinite(seconds)) return '';
  if (seconds <= 0) return 'resets now';
  const hours = resetsAt.getUTCHours();
  const minutes = resetsAt.getUTCMinutes();
  const clock = hours === 0 && minutes === 0 ? 'midnight UTC' : `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')} UTC`;
  const day = seconds < 86_400 ? '' : `on ${monthDay.format(resetsAt)} `;
  return `resets ${day}at ${clock}, in ${formatDuration(seconds)}`;
}
