import { formatCost, formatTokens, formatWhen } from './format';

export interface MessageDetailsProps {
  /** The message's state in words ("Stopped", "Not sent"…), when it has one. */
  note?: string;
  noteIsError?: boolean;
  model?: string | null;
  tokens?: number | null;
  /** Shown only where the app opts in (`showCost`): per-message cost is operator detail. */
  cost?: string | null;
  cachedPromptTokens?: number | null;
  date?: Date;
}

/** The facts under a message, each its own item with a dot between: never run together. */
export function MessageDetails({ note, noteIsError = false, model, tokens, cost, cachedPromptTokens, date }: MessageDetailsProps) {
  return (
    <ul aria-label="Message details" className="flex flex-wrap items-center gap-x-1.5 px-1 [&>li+li]:before:mr-1.5 [&>li+li]:before:content-['·']">
      {note && <li className={noteIsError ? 'text-destructive' : ''}>{note}</li>}
      {model && <li>{model}</li>}
      {tokens != null && <li className="tabular-nums">{formatTokens(tokens)} tokens</li>}
      {cost != null && <li className="tabular-nums">{formatCost(cost)}</li>}
      {cachedPromptTokens != null && cachedPromptTokens > 0 && (
        <li className="tabular-nums">{cachedPromptTokens.toLocaleString('en-US')} prompt tokens from cache</li>
      )}
      {date && (
        <li>
          {/* The time is formatted in the reader's locale and zone, which the server cannot know. */}
          <time dateTime={date.toISOString()} className="tabular-nums" suppressHydrationWarning>
            {formatWhen(date)}
          </time>
        </li>
      )}
    </ul>
  );
}
