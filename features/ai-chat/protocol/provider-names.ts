import { z } from 'zod';

/**
 * The providers the module speaks, by id: the one list client and server share. A new provider is
 * its id here, its folder under providers/, and its line in providers/registry.ts.
 */
// `demo`: the offline demo model of a development server with no key (providers/demo).
export const PROVIDER_IDS = ['openai', 'anthropic', 'demo'] as const;

export type ProviderName = (typeof PROVIDER_IDS)[number];

export const providerNameSchema = z.enum(PROVIDER_IDS);
