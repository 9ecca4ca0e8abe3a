import 'server-only';
import { createHash } from 'node:crypto';
import type { ProviderTarget, ResolvedHandlerOptions } from '../http/handler-options';
import type { TurnPlan } from './plan-turn';

const DEFAULT_TTL_SECONDS = 24 * 60 * 60;

/**
 * The cache key of a turn, or null when its reply must not be reused: only deterministic
 * requests (temperature 0 asked for explicitly, no tools) are cached, and only when the app
 * turned the cache on.
 */
export function responseCacheKey(plan: TurnPlan, options: ResolvedHandlerOptions, target: ProviderTarget): string | null {
  // A turn that may call tools (the app's or an MCP server's) never reuses an answer: tools act, and their results change.
  if (!options.responseCache || plan.temperature !== 0 || options.tools.length > 0 || options.mcp) return null;
  const request = {
    provider: target.provider,
    model: target.model,
    system: plan.fitted.system ?? null,
    messages: plan.fitted.messages,
    maxTokens: plan.replyTokens,
    // Another effort is another answer (and another bill): never reused across efforts.
    reasoning: plan.reasoning ?? null,
  };
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}

export function responseCacheTtl(options: ResolvedHandlerOptions): number {
  return (options.responseCache && options.responseCache.ttlSeconds) || DEFAULT_TTL_SECONDS;
}
