'use client';

import { useMemo, useSyncExternalStore } from 'react';
import type { ChatConfig } from '../protocol/rest';
import { parseModelKey, readDefaultModelKey, saveDefaultModel, subscribeDefaultModel } from './default-model';
import { ModalDialog } from './ModalDialog';
import { initialModelChoice, ModelPicker, type ModelChoice } from './ModelPicker';
import { ThemeToggle } from './ThemeToggle';

export interface SettingsDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  /** What the server offers (useChatConfig); the model setting waits for it. */
  config: ChatConfig | null;
  /** Offers "Keyboard shortcuts", e.g. to open the shortcuts dialog. */
  onShowShortcuts?: () => void;
}

/** Settings in one place, kept per browser: the theme and the model new chats start on. */
export function SettingsDialog({ open, onOpenChange, config, onShowShortcuts }: SettingsDialogProps) {
  const saved = useDefaultModel();
  const model = config ? initialModelChoice(config, saved ?? {}) : null;

  return (
    <ModalDialog open={open} onOpenChange={onOpenChange} title="Settings">
      <ThemeToggle />
      <div className="flex flex-col gap-1.5">
        <span className="text-sm font-medium">Default model</span>
        {config && model ? (
          <ModelPicker config={config} value={model} label="Default model for new chats" onChange={saveDefaultModel} />
        ) : (
          <p className="text-sm text-muted-foreground">{config ? 'No model provider is configured on the server.' : 'Loading models…'}</p>
        )}
      </div>
      {onShowShortcuts && (
        <button
          type="button"
          onClick={onShowShortcuts}
          className="w-fit text-sm text-foreground underline underline-offset-2 hover:no-underline focus-visible:outline-2 focus-visible:outline-ring"
        >
          Keyboard shortcuts
        </button>
      )}
    </ModalDialog>
  );
}

/** The model new chats start on: this browser's saved default (Settings), following its changes. */
export function useDefaultModel(): ModelChoice | null {
  const key = useSyncExternalStore(subscribeDefaultModel, readDefaultModelKey, () => null);
  return useMemo(() => parseModelKey(key), [key]);
}
