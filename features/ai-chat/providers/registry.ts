import 'server-only';
import { ANTHROPIC } from './anthropic/definition';
import type { ProviderDefinition } from './definition';
import { DEMO } from './demo/definition';
import { OPENAI } from './openai/definition';
import type { ProviderName } from './types';

export type { ProviderDefinition } from './definition';

/** Every provider the module speaks: adding one is its folder and a line here. */
export const PROVIDERS: Readonly<Record<ProviderName, ProviderDefinition>> = { openai: OPENAI, anthropic: ANTHROPIC, demo: DEMO };

/** The providers' names, in the order pickers list them. */
export const PROVIDER_NAMES = Object.keys(PROVIDERS) as readonly ProviderName[];

export function isProviderName(value: string): value is ProviderName {
  return Object.hasOwn(PROVIDERS, value);
}
