'use client';

import { useId, useState } from 'react';
import { DEFAULT_CHAT_API, patchConversation } from '../client/server-api';
import { toChatError } from '../client/http-error';
import { MAX_MESSAGE_CHARS } from '../protocol/chat-request';
import type { ConversationRecord } from '../protocol/records';
import { ModalDialog } from './ModalDialog';

export interface InstructionsDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** The chat whose instructions (its system prompt) are shown and edited. */
  conversation: Pick<ConversationRecord, 'id' | 'title' | 'systemPrompt'>;
  /** Called once the server saved them (null: the app's own instructions again). */
  onSaved?: (systemPrompt: string | null) => void;
  api?: string;
}

/**
 * A chat's instructions (its system prompt), shown and edited from its menu. Offer it only where
 * the server lets clients set them (config.allowSystemPrompt); the server refuses otherwise.
 */
export function InstructionsDialog({ open, onOpenChange, conversation, onSaved, api = DEFAULT_CHAT_API }: InstructionsDialogProps) {
  return (
    <ModalDialog open={open} onOpenChange={onOpenChange} title={`Instructions for “${conversation.title}”`}>
      {/* Mounted on each opening (the dialog renders its content only while open): starts from what is saved. */}
      <InstructionsForm conversation={conversation} onSaved={onSaved} onClose={() => onOpenChange(false)} api={api} />
    </ModalDialog>
  );
}

function InstructionsForm({
  conversation,
  onSaved,
  onClose,
  api,
}: Pick<InstructionsDialogProps, 'conversation' | 'onSaved'> & { onClose: () => void; api: string }) {
  const fieldId = useId();
  const [text, setText] = useState(conversation.systemPrompt ?? '');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const save = async () => {
    setSaving(true);
    setError(null);
    const systemPrompt = text.trim() === '' ? null : text;
    try {
      await patchConversation(api, conversation.id, { systemPrompt });
      onSaved?.(systemPrompt);
      onClose();
    } catch (caught) {
      setError(toChatError(caught).message);
    } finally {
      setSaving(false);
    }
  };

  return (
    <form
        className="flex flex-col gap-3"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <label htmlFor={fieldId} className="text-sm">
          How the assistant should answer in this chat. Empty: the app&apos;s own instructions.
        </label>
        <textarea
          id={fieldId}
          value={text}
          onChange={(event) => setText(event.target.value)}
          maxLength={MAX_MESSAGE_CHARS}
          rows={6}
          className="w-full resize-y rounded-md border border-input bg-background px-3 py-2 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-ring"
        />
        {error && (
          <p role="alert" className="text-sm text-destructive">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <button
            type="button"
            onClick={onClose}
            className="rounded-md px-3 py-1.5 text-sm hover:bg-accent hover:text-accent-foreground focus-visible:outline-2 focus-visible:outline-ring"
          >
            Cancel
          </button>
          <button
            type="submit"
            disabled={saving}
            className="rounded-md bg-primary px-3 py-1.5 text-sm font-medium text-primary-foreground hover:opacity-90 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-ring disabled:opacity-60"
          >
            {saving ? 'Saving…' : 'Save instructions'}
          </button>
        </div>
    </form>
  );
}
