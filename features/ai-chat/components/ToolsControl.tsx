'use client';

import { useId, useState } from 'react';
import { useConversationTools } from '../hooks/useConversationTools';
import type { ListedTool } from '../protocol/rest';
import { ModalDialog } from './ModalDialog';
import { ToolsIcon } from './icons';

export interface ToolsControlProps {
  /** The conversation whose tools are listed and switched. */
  conversationId: string;
  /** Base path of the module's routes. Default '/api/chat'. */
  api?: string;
}

/**
 * A "Tools" button for the chat's top bar, opening what the model may use in this chat: the app's
 * own tools, and each MCP server's with a switch that turns the server off for this chat only.
 */
export function ToolsControl({ conversationId, api }: ToolsControlProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        aria-label="Tools"
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
        className="inline-flex size-9 shrink-0 items-center justify-center rounded-md text-muted-foreground hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring"
      >
        <ToolsIcon />
      </button>
      <ModalDialog open={open} onOpenChange={setOpen} title="Tools in this chat">
        <ToolsList conversationId={conversationId} api={api} />
      </ModalDialog>
    </>
  );
}

/** The list, fetched each time the dialog opens (a server may have come up or gone down since). */
export function ToolsList({ conversationId, api }: ToolsControlProps) {
  const { tools, loading, error, saving, setServerEnabled } = useConversationTools(conversationId, { api });
  if (!tools) {
    return loading ? (
      <p role="status" className="text-sm text-muted-foreground">
        Loading tools…
      </p>
    ) : (
      <p role="alert" className="text-sm text-destructive">
        {error?.message ?? 'The tools could not be loaded.'}
      </p>
    );
  }
  return (
    <div className="flex max-h-[65vh] flex-col gap-4 overflow-y-auto">
      <p className="text-sm text-muted-foreground">What the model may use in this chat. A server you turn off here is not offered to it in this chat.</p>
      {error && (
        <p role="alert" className="text-sm text-destructive">
          {error.message}
        </p>
      )}
      {tools.tools.length > 0 && <ToolGroup title="This app" note="Always on" tools={tools.tools} />}
      {tools.servers.map((server) => (
        <ToolGroup
          key={server.name}
          title={server.name}
          note={!server.reachable ? 'Not reachable now' : server.enabled ? null : 'Off in this chat'}
          tools={server.tools}
          off={!server.enabled}
          toggle={{ enabled: server.enabled, busy: saving !== null, onChange: (enabled) => void setServerEnabled(server.name, enabled) }}
        />
      ))}
    </div>
  );
}

interface ToolGroupProps {
  title: string;
  note: string | null;
  tools: readonly ListedTool[];
  off?: boolean;
  toggle?: { enabled: boolean; busy: boolean; onChange: (enabled: boolean) => void };
}

function ToolGroup({ title, note, tools, off = false, toggle }: ToolGroupProps) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-2 rounded-lg border border-border p-3">
      <div className="flex items-center justify-between gap-3">
        <div className="flex min-w-0 flex-col">
          <h3 id={headingId} className="truncate text-sm font-semibold">
            {title}
          </h3>
          {note && <span className="text-xs text-muted-foreground">{note}</span>}
        </div>
        {toggle && (
          <button
            type="button"
            role="switch"
            aria-checked={toggle.enabled}
            aria-label={`Use ${title} in this chat`}
            disabled={toggle.busy}
            onClick={() => toggle.onChange(!toggle.enabled)}
            className={`relative inline-flex h-6 w-11 shrink-0 items-center rounded-full p-0.5 transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:cursor-wait ${
              toggle.enabled ? 'bg-primary' : 'bg-input'
            }`}
          >
            <span
              aria-hidden="true"
              className={`inline-block size-5 rounded-full bg-background shadow transition-transform ${toggle.enabled ? 'translate-x-5' : 'translate-x-0'}`}
            />
          </button>
        )}
      </div>
      {tools.length > 0 ? (
        <ul className={`flex flex-col gap-1.5 text-sm ${off ? 'text-muted-foreground' : ''}`}>
          {tools.map((tool) => (
            <li key={tool.name} className="flex flex-col">
              <span className="flex flex-wrap items-center gap-2">
                <code className="font-mono text-xs break-all">{tool.name}</code>
                {tool.approval !== 'never' && (
                  <span className="rounded border border-border px-1.5 text-xs text-muted-foreground">
                    {tool.approval === 'always' ? 'Asks first' : 'May ask first'}
                  </span>
                )}
              </span>
              <span className="text-xs text-muted-foreground">{tool.description}</span>
            </li>
          ))}
        </ul>
      ) : (
        <p className="text-xs text-muted-foreground">No tools listed.</p>
      )}
    </section>
  );
}
