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

const PROVIDER_LABEL: Record<ProviderName, string> = { openai: 'OpenAI', anthropic: 'Anthropic' };

/**
 * The models this server allows, grouped by provider. A provider without a key is listed but not
 * selectable, with the environment variable that would enable it.
 */
export function ModelPicker({ config, value, onChange, disabled = false, label = 'Model' }: ModelPickerProps) {
  const id = useId();
  const missing = config.providers.filter((provider) => !provider.configured);
  return (
    <div className="flex flex-col gap-0.5">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <select
        id={id}
        value={`${value.provider}:${value.model}`}
        disabled={disabled}
        aria-describedby={missing.length > 0 ? `${id}-missing` : undefined}
        onChange={(event) => {
          const [provider, ...model] = event.target.value.split(':');
          onChange({ provider: provider as ProviderName, model: model.join(':') });
        }}
        className="rounded-md border border-input bg-background px-2 py-1 text-sm text-foreground focus-visible:outline-2 focus-visible:outline-ring disabled:opacity-60"
      >
        {config.providers.map((provider) => (
          <optgroup
            key={provider.name}
            label={provider.configured ? PROVIDER_LABEL[provider.name] : `${PROVIDER_LABEL[provider.name]} (set ${provider.keyVariable})`}
          >
            {provider.models.map((model) => (
              <option key={model} value={`${provider.name}:${model}`} disabled={!provider.configured}>
                {model}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
      {missing.length > 0 && (
        <p id={`${id}-missing`} className="text-xs text-muted-foreground">
          {missing.map((provider) => `To use ${PROVIDER_LABEL[provider.name]}, set ${provider.keyVariable} on the server.`).join(' ')}
        </p>
      )}
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
