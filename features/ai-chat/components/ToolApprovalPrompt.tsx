'use client';

import { useState } from 'react';
import { answerToolApproval } from '../client/server-api';
import type { ToolActivity } from '../client/chat-message-view';
import { toChatError } from '../client/http-error';

/** A value longer than this (or on several lines) is folded, its start shown. */
const FOLD_AT = 160;

function shown(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

/** One argument, readable: short values inline, long ones folded behind their first line. */
function ArgumentValue({ value }: { value: unknown }) {
  const text = shown(value);
  if (text.length <= FOLD_AT && !text.includes('\n')) return <code className="font-mono break-all">{text}</code>;
  const start = text.split('\n', 1)[0]!.slice(0, 80);
  return (
    <details>
      <summary className="cursor-pointer">
        <code className="font-mono">{start}…</code> <span className="text-zinc-500">({text.length} characters)</span>
      </summary>
      <pre className="mt-1 max-h-64 overflow-auto font-mono whitespace-pre-wrap">{text}</pre>
    </details>
  );
}

function ToolArguments({ args }: { args: unknown }) {
  if (args === null || typeof args !== 'object' || Array.isArray(args)) return <ArgumentValue value={args} />;
  const entries = Object.entries(args as Record<string, unknown>);
  if (entries.length === 0) return <p className="text-zinc-500">No arguments.</p>;
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-2 gap-y-1">
      {entries.map(([key, value]) => (
        <div key={key} className="contents">
          <dt className="font-medium text-zinc-600 dark:text-zinc-400">{key}</dt>
          <dd className="min-w-0">
            <ArgumentValue value={value} />
          </dd>
        </div>
      ))}
    </dl>
  );
}

const DENIED: Record<string, string> = {
  declined: 'You declined this.',
  timeout: 'Nobody answered in time; it did not run.',
  stopped: 'The reply was stopped; it did not run.',
};

/**
 * A tool call that waits for the person: the tool, its arguments (long ones folded), Approve and
 * Deny. The answer is its own request, so any tab may give it; the reply's stream then says
 * what was decided (this tab, another, or the time running out).
 */
export function ToolApprovalPrompt({ tool, api }: { tool: ToolActivity; api: string }) {
  const [sent, setSent] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const approval = tool.approval;
  if (!approval) return null;
  if (approval.state !== 'requested') {
    return (
      <p className="mt-1 text-zinc-600 dark:text-zinc-400">
        {approval.state === 'approved' ? 'Approved.' : (DENIED[approval.reason ?? 'declined'] ?? DENIED.declined)}
      </p>
    );
  }
  const answer = async (approved: boolean) => {
    if (!approval.replyId) return;
    setSent(approved);
    setError(null);
    try {
      await answerToolApproval(api, approval.replyId, approval.id, approved);
    } catch (failure) {
      const chatError = toChatError(failure);
      // 409: answered already (another tab, or the time ran out): the stream will say how.
      if (chatError.code !== 'conflict') {
        setSent(null);
        setError(chatError.message);
      }
    }
  };
  return (
    <div role="group" aria-label={`Approve ${tool.name}?`} className="mt-2 rounded-md border border-amber-300 bg-amber-50 p-2 dark:border-amber-700 dark:bg-amber-950">
      <p className="mb-1 text-zinc-800 dark:text-zinc-200">
        The assistant wants to run <code className="font-mono">{tool.name}</code> with:
      </p>
      <ToolArguments args={tool.args} />
      <div className="mt-2 flex gap-2">
        <button
          type="button"
          disabled={sent !== null}
          onClick={() => void answer(true)}
          className="rounded-md bg-zinc-900 px-3 py-1 text-white disabled:opacity-50 dark:bg-zinc-100 dark:text-zinc-900"
        >
          {sent === true ? 'Approving…' : 'Approve'}
        </button>
        <button
          type="button"
          disabled={sent !== null}
          onClick={() => void answer(false)}
          className="rounded-md border border-zinc-300 px-3 py-1 disabled:opacity-50 dark:border-zinc-700"
        >
          {sent === false ? 'Denying…' : 'Deny'}
        </button>
      </div>
      {error && (
        <p role="alert" className="mt-1 text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
