import 'server-only';
import { z } from 'zod';
import { providerNameSchema, type ProviderName } from '../protocol/provider-names';
import { ChatError } from '../protocol/errors';
import { defaultOpenAIApi, OPENAI_APIS, type OpenAIApi } from '../providers/openai/configured-provider';
import { mcpServersSchema } from './mcp-servers';

// Empty strings mean "unset": `.env` files often carry `KEY=` lines copied from an example.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (typeof value === 'string' && value.trim() === '' ? undefined : value), schema.optional());

/** A comma-separated list of API keys; several keys rotate on 401/429. */
const apiKeyList = z
  .string()
  .transform((value) => value.split(',').map((key) => key.trim()).filter(Boolean));

const modelList = z
  .string()
  .transform((value) => value.split(',').map((model) => model.trim()).filter(Boolean))
  .pipe(z.array(z.string().max(128)).min(1, 'list at least one model'));

// --- Who may call the routes (server/http/request-guard.ts) ---------------------------------------------
// A host entry: chat.example.com, chat.example.com:8443, *.example.com, [::1], or * for any host.
export const HOST_ENTRY_PATTERN = /^(\*|(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.?(:\d{1,5})?|\[[0-9a-f:.]+\](:\d{1,5})?)$/i;
const commaList = (value: string) => value.split(',').map((entry) => entry.trim()).filter(Boolean);
const callerEnv = {
  /** Hosts the routes answer for besides loopback. Unset: loopback only (embedded store), any (Supabase). */
  AI_CHAT_ALLOWED_HOSTS: optional(
    z.string().transform(commaList).pipe(z.array(z.string().regex(HOST_ENTRY_PATTERN, 'not a host name, e.g. chat.example.com or *.example.com')).min(1)),
  ),
  /** Origins of other sites whose pages may call the routes, e.g. https://app.example.com. */
  AI_CHAT_ALLOWED_ORIGINS: optional(
    z
      .string()
      .transform(commaList)
      .pipe(z.array(z.url({ protocol: /^https?$/ }).refine((value) => !/^[a-z]+:\/\/[^/]+\/./i.test(value), 'an origin has no path')).min(1)),
  ),
  /** `on`: read the host from X-Forwarded-Host (only behind a proxy that sets it). */
  AI_CHAT_TRUST_FORWARDED_HOST: optional(z.enum(['on', 'off'])),
};
// -------------------------------------------------------------------------------------------------

/** `input,output`: USD per million tokens, e.g. `15,60`. */
const pricePair = z
  .string()
  .regex(/^\s*\d+(\.\d+)?\s*,\s*\d+(\.\d+)?\s*$/, 'two prices in USD per million tokens, input then output, e.g. "15,60"')
  .transform((value) => {
    const [input, output] = value.split(',').map((part) => part.trim());
    return { input: input!, output: output! };
  });

const positiveNumber = z.coerce.number().positive();
const positiveInt = z.coerce.number().int().positive();

export const envSchema = z.object({
  NODE_ENV: optional(z.enum(['development', 'production', 'test'])),
  ...callerEnv,
  OPENAI_API_KEY: optional(apiKeyList),
  OPENAI_BASE_URL: optional(z.url({ protocol: /^https?$/ })),
  /** Which OpenAI API to speak. Unset: `responses` without OPENAI_BASE_URL, `chat-completions` with one. */
  OPENAI_API: optional(z.enum(OPENAI_APIS)),
  ANTHROPIC_API_KEY: optional(apiKeyList),
  ANTHROPIC_BASE_URL: optional(z.url({ protocol: /^https?$/ })),
  DEFAULT_AI_PROVIDER: optional(providerNameSchema.exclude(['demo'])),
  /** `off`: no offline demo model in development when no key is set (it never runs in production). */
  AI_CHAT_DEMO: optional(z.enum(['off'])),
  NEXT_PUBLIC_SUPABASE_URL: optional(z.url({ protocol: /^https?$/ })),
  NEXT_PUBLIC_SUPABASE_ANON_KEY: optional(z.string()),
  SUPABASE_SERVICE_ROLE_KEY: optional(z.string()),
  AI_CHAT_STORE: optional(z.enum(['supabase', 'postgres', 'embedded'])),
  /** Any PostgreSQL (Supabase direct or pooled, Neon, RDS, self-hosted): selects the Postgres store. */
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// or postgresql:// connection string')),
  /** `1`: the Postgres store applies its migrations (and, off Supabase, the auth shim) on first use. */
  AI_CHAT_DATABASE_MIGRATE: optional(z.enum(['0', '1', 'off', 'on']).transform((value) => value === '1' || value === 'on')),
  /** Connections in the Postgres store's pool per server. Default 10. */
  AI_CHAT_DATABASE_POOL_SIZE: optional(positiveInt),
  /** `local-user`: the Postgres store serves one local user, with no sign-in (single-user installs, load tests). */
  AI_CHAT_AUTH: optional(z.enum(['local-user'])),
  AI_CHAT_DATA_DIR: optional(z.string()),
  /** Comma-separated model ids a client may pick, the first being the default. Unset: the default only. */
  AI_CHAT_OPENAI_MODELS: optional(modelList),
  AI_CHAT_ANTHROPIC_MODELS: optional(modelList),
  /** `openai`: check each message with OpenAI's moderation endpoint before any spend. */
  AI_CHAT_MODERATION: optional(z.enum(['off', 'openai'])),
  /** Seconds to keep replies to temperature-0 requests for reuse; unset: no cache. */
  AI_CHAT_RESPONSE_CACHE_SECONDS: optional(positiveInt),
  /** `on`: keep a rolling summary of what falls out of the context window (a cheap extra call). */
  AI_CHAT_SUMMARY: optional(z.enum(['on', 'off'])),
  /** `off`: keep the title made from the first message (default: a cheap model writes one after the first reply). */
  AI_CHAT_TITLES: optional(z.enum(['on', 'off'])),
  AI_CHAT_MAX_TOKENS_PER_DAY: optional(positiveInt),
  AI_CHAT_MAX_COST_PER_MONTH: optional(positiveNumber),
  AI_CHAT_MAX_REQUESTS_PER_MINUTE: optional(positiveInt),
  /** Megabytes of files each user may keep (sent or not). Default 200. */
  AI_CHAT_STORAGE_QUOTA_MB: optional(positiveInt),
  /** Hours an uploaded file never sent with a message is kept. Default 24. */
  AI_CHAT_UNSENT_FILE_HOURS: optional(positiveInt),
  /** A reply ends (saved as partial) after this many seconds, watched or not. Default 600. */
  AI_CHAT_MAX_REPLY_SECONDS: optional(positiveInt),
  /** MCP servers for the demo app: a JSON array of { name, url, headers?, allowPrivateNetwork?, tools? } (docs/tools.md). */
  AI_CHAT_MCP_SERVERS: optional(
    z
      .string()
      .transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.addIssue({ code: 'custom', message: 'not JSON: a JSON array of MCP servers, e.g. [{"name":"docs","url":"https://mcp.example.com/mcp"}]' });
          return z.NEVER;
        }
      })
      .pipe(mcpServersSchema),
  ),
  /**
   * The price of a model the pricing table does not know, `input,output` in USD per million
   * tokens. Unset: such a model is refused while a cost limit is set.
   */
  AI_CHAT_UNPRICED_MODEL_PRICE: optional(pricePair),
});

export type ChatEnv = z.infer<typeof envSchema>;

export type StoreKind = 'supabase' | 'postgres' | 'embedded';

export interface ResolvedChatEnv extends ChatEnv {
  store: StoreKind;
  dataDir: string;
  defaultProvider: ProviderName;
  /**
   * The offline demo model stands in: `next dev` (NODE_ENV=development) with no provider key and
   * AI_CHAT_DEMO not `off`. Never true in a production server or in tests.
   */
  demo: boolean;
  /** OPENAI_API, else Responses for api.openai.com and Chat Completions behind OPENAI_BASE_URL. */
  openaiApi: OpenAIApi;
}

export const DEFAULT_DATA_DIR = '.data/ai-chat';

/**
 * Parses and checks the module's environment. Throws a ChatError('not_configured') whose message
 * names every variable at fault (never its value: some are secrets).
 */
export function parseChatEnv(source: Record<string, string | undefined> = process.env): ResolvedChatEnv {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ChatError('not_configured', `Invalid environment for ai-chat. ${problems.join('; ')}`, {
      cause: parsed.error,
    });
  }
  const env = parsed.data;
  const supabaseConfigured = Boolean(env.NEXT_PUBLIC_SUPABASE_URL && env.NEXT_PUBLIC_SUPABASE_ANON_KEY);
  // A Supabase project wins over DATABASE_URL: apps on Supabase often set DATABASE_URL for an ORM.
  const store: StoreKind = env.AI_CHAT_STORE ?? (supabaseConfigured ? 'supabase' : env.DATABASE_URL ? 'postgres' : 'embedded');

  if (store === 'supabase' && !supabaseConfigured) {
    throw new ChatError(
      'not_configured',
      'AI_CHAT_STORE is "supabase" but NEXT_PUBLIC_SUPABASE_URL and NEXT_PUBLIC_SUPABASE_ANON_KEY are not both set.',
    );
  }
  if (store === 'supabase' && !env.SUPABASE_SERVICE_ROLE_KEY) {
    throw new ChatError(
      'not_configured',
      'SUPABASE_SERVICE_ROLE_KEY is required with the supabase store: only the server may write usage rows.',
    );
  }
  if (store === 'postgres' && !env.DATABASE_URL) {
    throw new ChatError('not_configured', 'AI_CHAT_STORE is "postgres" but DATABASE_URL is not set.');
  }
  if (env.AI_CHAT_MODERATION === 'openai' && !env.OPENAI_API_KEY?.length) {
    throw new ChatError('not_configured', 'AI_CHAT_MODERATION=openai needs OPENAI_API_KEY.');
  }
  if (store === 'embedded' && env.NODE_ENV === 'production' && env.AI_CHAT_STORE !== 'embedded') {
    throw new ChatError(
      'not_configured',
      'No Supabase project (NEXT_PUBLIC_SUPABASE_URL, NEXT_PUBLIC_SUPABASE_ANON_KEY) and no DATABASE_URL is configured. ' +
        'In production the embedded single-user store starts only when AI_CHAT_STORE=embedded is set ' +
        'explicitly, so a missing variable never silently turns a multi-user deployment into a local one.',
    );
  }

  return {
    ...env,
    store,
    dataDir: env.AI_CHAT_DATA_DIR ?? DEFAULT_DATA_DIR,
    defaultProvider: env.DEFAULT_AI_PROVIDER ?? 'openai',
    demo: env.NODE_ENV === 'development' && env.AI_CHAT_DEMO !== 'off' && !env.OPENAI_API_KEY?.length && !env.ANTHROPIC_API_KEY?.length,
    openaiApi: env.OPENAI_API ?? defaultOpenAIApi(env.OPENAI_BASE_URL),
  };
}

let cached: ResolvedChatEnv | undefined;

/** The process's environment, parsed once. */
export function getChatEnv(): ResolvedChatEnv {
  cached ??= parseChatEnv();
  return cached;
}
