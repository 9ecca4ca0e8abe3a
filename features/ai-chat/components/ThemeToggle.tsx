'use client';

import { useId, useSyncExternalStore } from 'react';
import { readThemeChoice, saveThemeChoice, subscribeThemeChoice, type ThemeChoice } from './theme';

const CHOICES: readonly { value: ThemeChoice; label: string }[] = [
  { value: 'light', label: 'Light' },
  { value: 'dark', label: 'Dark' },
  { value: 'system', label: 'System' },
];

/** Light, dark or system, as a radio group (arrow keys move between them); kept per browser. */
export function ThemeToggle({ className = '' }: { className?: string }) {
  const name = useId();
  const choice = useSyncExternalStore(subscribeThemeChoice, readThemeChoice, () => 'system' as ThemeChoice);

  return (
    <fieldset className={`flex flex-col gap-1.5 ${className}`}>
      <legend className="mb-1.5 text-sm font-medium">Theme</legend>
      <div className="inline-flex w-fit rounded-md border border-border p-0.5">
        {CHOICES.map(({ value, label }) => (
          <label
            key={value}
            className="cursor-pointer rounded px-3 py-1 text-sm text-muted-foreground has-checked:bg-accent has-checked:text-accent-foreground has-focus-visible:outline-2 has-focus-visible:outline-ring"
          >
            <input
              type="radio"
              name={name}
              value={value}
              checked={choice === value}
              onChange={() => saveThemeChoice(value)}
              className="sr-only"
            />
            {label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
