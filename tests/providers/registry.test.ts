import { describe, expect, it } from 'vitest';
import { DEFAULT_MODELS } from '@/features/ai-chat/providers/models';
import { isProviderName, PROVIDER_NAMES, PROVIDERS } from '@/features/ai-chat/providers/registry';
import { providerNameSchema } from '@/features/ai-chat/protocol/chat-request';

describe('the provider registry', () => {
  it('has one definition for every provider the protocol names, each pricing its own models and its default', () => {
    expect([...PROVIDER_NAMES].sort()).toEqual([...providerNameSchema.options].sort());
    for (const name of PROVIDER_NAMES) {
      const provider = PROVIDERS[name];
      expect(provider.name).toBe(name);
      expect(provider.models.every((model) => model.provider === name)).toBe(true);
      expect(provider.models.map((model) => model.id)).toContain(provider.defaultModel);
    }
    expect(DEFAULT_MODELS).toHaveLength(PROVIDER_NAMES.reduce((sum, name) => sum + PROVIDERS[name].models.length, 0));
  });

  it('knows only its own names: nothing inherited from Object is a provider', () => {
    expect(isProviderName('openai')).toBe(true);
    expect(isProviderName('toString')).toBe(false);
    expect(isProviderName('__proto__')).toBe(false);
  });

  it('prices an image of unknown size at the most one may cost, never at zero', () => {
    for (const name of PROVIDER_NAMES) {
      const model = PROVIDERS[name].defaultModel;
      expect(PROVIDERS[name].imageTokens(model, 0, 0)).toBeGreaterThanOrEqual(PROVIDERS[name].imageTokens(model, 640, 480));
    }
  });
});
