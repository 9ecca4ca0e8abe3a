// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { initialModelChoice, ModelPicker, usableModelChoice } from '@/features/ai-chat/components/ModelPicker';
import { UsageMeter } from '@/features/ai-chat/components/UsageMeter';
import type { ChatConfig } from '@/features/ai-chat/protocol/rest';
import type { UseTokenUsageResult } from '@/features/ai-chat/hooks/useTokenUsage';

afterEach(cleanup);

const config: ChatConfig = {
  defaultProvider: 'anthropic',
  providers: [
    { name: 'openai', configured: true, keyVariable: 'OPENAI_API_KEY', defaultModel: 'gpt-4o', models: ['gpt-4o', 'gpt-4o-mini'] },
    { name: 'anthropic', configured: false, keyVariable: 'ANTHROPIC_API_KEY', defaultModel: 'claude-sonnet-4-5', models: ['claude-sonnet-4-5'] },
  ],
  allowSystemPrompt: true,
  maxMessageChars: 32_000,
};

describe('ModelPicker', () => {
  it('offers only configured providers, by name with a note, grouped by provider, and never tells a user which key the server lacks', () => {
    const onChange = vi.fn();
    const labelled: ChatConfig = {
      ...config,
      providers: config.providers.map((provider) =>
        provider.name === 'openai'
          ? { ...provider, labels: { 'gpt-4o': { name: 'GPT-4o', note: 'smart, reads images' }, 'gpt-4o-mini': { name: 'GPT-4o mini', note: 'fast, reads images' } } }
          : provider,
      ),
    };
    render(<ModelPicker config={labelled} value={{ provider: 'openai', model: 'gpt-4o' }} onChange={onChange} />);
    const picker = screen.getByRole('combobox', { name: 'Model' });
    expect(within(picker).getAllByRole('option').map((option) => option.textContent)).toEqual(['GPT-4o — smart, reads images', 'GPT-4o mini — fast, reads images']);
    expect(within(picker).getByRole('group', { name: 'OpenAI' })).toBeTruthy();
    expect(within(picker).queryByRole('option', { name: /claude/i })).toBeNull();
    expect(document.body.textContent).not.toMatch(/ANTHROPIC_API_KEY|on the server/);
    fireEvent.change(picker, { target: { value: 'openai:gpt-4o-mini' } });
    expect(onChange).toHaveBeenCalledWith({ provider: 'openai', model: 'gpt-4o-mini' });
  });

  it('starts from a configured provider even when the default one has no key', () => {
    expect(initialModelChoice(config, {})).toEqual({ provider: 'openai', model: 'gpt-4o' });
    expect(initialModelChoice(config, { provider: 'openai', model: 'gpt-4o-mini' })).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(initialModelChoice(config, { provider: 'openai', model: 'not-allowed' })).toEqual({ provider: 'openai', model: 'gpt-4o' });
  });

  it('follows a conversation’s model only where this server offers it', () => {
    expect(usableModelChoice(config, { provider: 'openai', model: 'gpt-4o-mini' })).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    // No key for the provider, or a model no longer allowed: the picker falls back to the default.
    expect(usableModelChoice(config, { provider: 'anthropic', model: 'claude-sonnet-4-5' })).toBeNull();
    expect(usableModelChoice(config, { provider: 'openai', model: 'gpt-3.5-turbo' })).toBeNull();
  });
});

describe('UsageMeter', () => {
  it('shows tokens today and spend against the limits', () => {
    const usage: UseTokenUsageResult = {
      totalTokens: 9_000,
      cost: '4.5',
      messagesCount: 12,
      tokensToday: 9_000,
      costToday: '1',
      tokensInProgress: 0,
      costInProgress: '0',
      limits: { maxTokensPerDay: 10_000, maxCostPerMonth: '5', maxRequestsPerMinute: null },
      remaining: { tokensToday: 1_000, costThisMonth: '0.5' },
      loading: false,
      error: null,
      refresh: async () => {},
    };
    render(<UsageMeter usage={usage} />);
    const tokens = screen.getByRole('progressbar', { name: 'Tokens used today' });
    expect(tokens.getAttribute('aria-valuenow')).toBe('90');
    expect(tokens.getAttribute('aria-valuetext')).toBe('9K / 10K tokens today');
    expect(screen.getByRole('progressbar', { name: 'Spent this month' }).getAttribute('aria-valuetext')).toBe('$4.50 / $5.00 this month');
  });
  it('shows a reply in progress apart from what was spent: "451 tokens today · up to 4.1K in progress"', () => {
    const usage: UseTokenUsageResult = {
      totalTokens: 451,
      cost: '0.0006',
      messagesCount: 2,
      tokensToday: 451,
      costToday: '0.0006',
      tokensInProgress: 4_103,
      costInProgress: '0.008',
      limits: { maxTokensPerDay: 10_000, maxCostPerMonth: '5', maxRequestsPerMinute: null },
      remaining: { tokensToday: 10_000 - 451 - 4_103, costThisMonth: '4.9914' },
      loading: false,
      error: null,
      refresh: async () => {},
    };
    render(<UsageMeter usage={usage} />);
    const tokens = screen.getByRole('progressbar', { name: 'Tokens used today' });
    // The bar's value is what was spent; the hold is named apart.
    expect(tokens.getAttribute('aria-valuenow')).toBe('5');
    expect(tokens.getAttribute('aria-valuetext')).toBe('451 / 10K tokens today · up to 4.1K in progress');
    expect(screen.getByRole('region', { name: 'Usage' }).textContent).toContain('451 / 10K tokens today · up to 4.1K in progress');
    // On a phone the hold is for screen readers only: the header has no room for it.
    expect(screen.getByText('· up to 4.1K in progress', { exact: false }).className).toContain('max-sm:sr-only');
    expect(screen.getByRole('progressbar', { name: 'Spent this month' }).getAttribute('aria-valuetext')).toBe('$0.0006 / $5.00 this month · up to $0.008 in progress');
  });
});
