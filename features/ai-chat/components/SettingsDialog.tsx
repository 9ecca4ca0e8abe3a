'use client';

import { useEffect, useState } from 'react';
import type { ChatConfig } from '../protocol/rest';
import { DEFAULT_MODEL_CHANGE_EVENT, readDefaultModel, saveDefaultModel } from './default-model';
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
  const [model, setModel] = useState<ModelChoice | null>(null);
  useEffect(() => {
    if (open && config) setModel(initialModelChoice(config, readDefaultModel() ?? {}));
  }, [open, config]);

  return (
    <ModalDialog open={open} onOpenChange={onOpenChange} title="Settings">
      <ThemeToggle />
      <div className="flex flex-col gap-1.5">
        <span className="text-sm font-medium">Default model</span>
        {config && model ? (
          <ModelPicker
            config={config}
            value={model}
            label="Default model for new chats"
            onChange={(choice) => {
              setModel(choice);
              saveDefaultModel(choice);
            }}
          />
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

/** The model new chats start on: this browser's saved default, following the settings as they change. */
export function useDefaultModel(): ModelChoice | null {
  const [choice, setChoice] = useState<ModelChoice | null>(null);
  useEffect(() => {
    setChoice(readDefaultModel());
    const onChange = (event: Event) => setChoice((event as CustomEvent<ModelChoice>).detail);
    window.addEventListener(DEFAULT_MODEL_CHANGE_EVENT, onChange);
    return () => window.removeEventListener(DEFAULT_MODEL_CHANGE_EVENT, onChange);
  }, []);
  return choice;
}
