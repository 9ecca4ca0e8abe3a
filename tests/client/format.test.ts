import { describe, expect, it } from 'vitest';
import { formatDuration, formatResetsAt, formatWhen } from '@/features/ai-chat/components/format';

describe('formatDuration', () => {
  it('says a wait in words, never as a raw count of seconds', () => {
    expect(formatDuration(20)).toBe('20 s');
    expect(formatDuration(0.2)).toBe('1 s');
    expect(formatDuration(90)).toBe('2 min');
    expect(formatDuration(3599)).toBe('59 min');
    expect(formatDuration(63_148)).toBe('17 h');
    expect(formatDuration(3 * 86_400 + 5)).toBe('3 days');
  });
});

describe('formatResetsAt', () => {
  const now = new Date('2026-12-01T06:27:32Z');

  it('a daily window: "resets at midnight UTC, in 17 h"', () => {
    expect(formatResetsAt(new Date('2026-12-02T00:00:00.000Z'), now)).toBe('resets at midnight UTC, in 17 h');
  });

  it('a window ending at another time today names the time', () => {
    expect(formatResetsAt(new Date('2026-12-01T06:29:00Z'), now)).toBe('resets at 06:29 UTC, in 2 min');
  });

  it('a monthly window names the day', () => {
    expect(formatResetsAt(new Date('2027-01-01T00:00:00Z'), now)).toBe('resets on 1 January at midnight UTC, in 30 days');
  });

  it('a time already past resets now', () => {
    expect(formatResetsAt(new Date('2026-12-01T00:00:00Z'), now)).toBe('resets now');
  });
});

describe('formatWhen: when a message was said', () => {
  const now = new Date(2026, 11, 7, 15, 0);
  it('today: the time alone; another day: its date too; another year: the year as well', () => {
    expect(formatWhen(new Date(2026, 11, 7, 9, 46), now)).toMatch(/^9:46\sAM$/);
    expect(formatWhen(new Date(2026, 11, 4, 9, 46), now)).toMatch(/^Dec 4, 9:46\sAM$/);
    expect(formatWhen(new Date(2025, 0, 2, 18, 5), now)).toMatch(/^Jan 2, 2025, 6:05\sPM$/);
  });
});
