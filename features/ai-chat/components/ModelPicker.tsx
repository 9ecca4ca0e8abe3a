'use client';

import { useId } from 'react';
import type { ProviderName } from '../protocol/chat-request';
import type { ChatConfig } from '../protocol/rest';

export interface ModelChoice {
  provider: ProviderName;
  model: string;
}

export interface ModelPickerProps {
  config: ChatConfig;
  value: ModelChoice;
  onChange: (choice: ModelChoice) => void;
  disabled?: boolean;
  /** The select's name for assistive technology. Default 'Model'. */
  label?: string;
}

const PROVIDER_LABEL: Record<ProviderName, string> = { openai: 'OpenAI', anthropic: 'Anthropic', demo: 'Offline demo' };

/**
 * The models this server offers, by name with a short note ("GPT-5 mini — fast"), grouped by
 * provider. Providers without a key are not listed: which variable to set is the operator's
 * business (the server log and the development banner say it), not the person chatting.
 */
export function ModelPicker({ config, value, onChange, disabled = false, label = 'Model' }: ModelPickerProps) {
  const id = useId();
  const offered = config.providers.filter((provider) => provider.configured);
  return (
    <div className="flex flex-col gap-0.5">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      {/* Chromium draws the open list apart from the page: its options carry the theme's colours. */}
      <select
        id={id}
        value={`${value.provider}:${value.model}`}
        disabled={disabled}
        onChange={(event) => {
          const [provider, ...model] = event.target.value.split(':');
          onChange({ provider: provider as ProviderName, model: model.join(':') });
        }}
        className="max-w-60 min-w-0 max-sm:max-w-44 rounded-md border border-input bg-background px-2 py-1 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-ring disabled:opacity-60 [&_optgroup]:bg-popover [&_optgroup]:text-popover-foreground [&_option]:bg-popover [&_option]:text-popover-foreground"
      >
        {offered.map((provider) => (
          <optgroup key={provider.name} label={PROVIDER_LABEL[provider.name]}>
            {provider.models.map((model) => {
              const label = provider.labels?.[model];
              return (
                <option key={model} value={`${provider.name}:${model}`}>
                  {label ? `${label.name} — ${label.note}` : model}
                </option>
              );
            })}
          </optgroup>
        ))}
      </select>
    </div>
  );
}

/** The choice to start from: the caller's if the server allows it, else the server's default. */
export function initialModelChoice(config: ChatConfig, wanted: Partial<ModelChoice>): ModelChoice | null {
  const usable = config.providers.filter((provider) => provider.configured);
  const provider =
    usable.find((p) => p.name === wanted.provider) ?? usable.find((p) => p.name === config.defaultProvider) ?? usable[0];
  if (!provider) return null;
  const model = wanted.model && provider.models.includes(wanted.model) ? wanted.model : provider.defaultModel;
  return { provider: provider.name, model };
}

/** `wanted` as a choice if this server offers it (its provider configured, the model allowed), else null. */
export function usableModelChoice(config: ChatConfig, wanted: { provider: string; model: string }): ModelChoice | null {
  const provider = config.providers.find((p) => p.name === wanted.provider && p.configured);
  return provider && provider.models.includes(wanted.model) ? { provider: provider.name, model: wanted.model } : null;
}
