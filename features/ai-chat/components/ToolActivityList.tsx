import { DEFAULT_CHAT_API } from '../client/server-api';
import type { ToolActivity } from '../client/chat-message-view';
import { ToolApprovalPrompt } from './ToolApprovalPrompt';

function pretty(value: unknown): string {
  try {
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

/** The tools a reply called, each expandable to its arguments and result; one waiting for approval asks. */
export function ToolActivityList({ tools, api = DEFAULT_CHAT_API }: { tools: readonly ToolActivity[]; api?: string }) {
  if (tools.length === 0) return null;
  return (
    <ul className="my-2 flex flex-col gap-1 text-xs" aria-label="Tool calls">
      {tools.map((tool) => (
        <li key={tool.id}>
          <details className="rounded-md border border-border bg-muted px-2 py-1">
            <summary className="cursor-pointer text-foreground">
              {tool.result === undefined ? 'Calling' : 'Called'} <code className="font-mono">{tool.name}</code>
            </summary>
            <pre className="mt-1 overflow-x-auto font-mono whitespace-pre-wrap">{pretty(tool.args)}</pre>
            {tool.result !== undefined && (
              <pre className="mt-1 overflow-x-auto border-t border-border pt-1 font-mono whitespace-pre-wrap">
                {pretty(tool.result)}
              </pre>
            )}
          </details>
          {tool.approval && <ToolApprovalPrompt tool={tool} api={api} />}
        </li>
      ))}
    </ul>
  );
}
