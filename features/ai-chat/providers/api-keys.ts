import 'server-only';

/** Keys from an option or a comma-separated env value, trimmed, blanks dropped. */
export function parseApiKeys(value: string | readonly string[] | undefined): string[] {
  const parts = typeof value === 'string' ? value.split(',') : (value ?? []);
  return parts.map((key) => key.trim()).filter((key) => key !== '');
}
