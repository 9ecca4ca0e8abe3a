import 'server-only';
import type { UsageSummary } from '../../protocol/records';
import type {
  CachedReply,
  UsageHold,
  UsageHoldRequest,
  UsageReservation,
  UsageReservationRequest,
  UsageSettlement,
} from '../chat-store';
import { cacheReplyArgs, holdUsageArgs, readCachedReplyArgs, recordUsageArgs, reserveUsageArgs, settleUsageArgs } from '../function-args';
import { cachedReplyRowSchema, holdRowSchema, reservationRowSchema, usageSummaryRowSchema } from '../postgres/rows';
import { unwrap } from './postgrest-result';
import { SupabaseUserSearchShareFeedback } from './supabase-user-search-share-feedback';

/**
 * A user's usage and reply cache over PostgREST: the meter reads under RLS with the user's JWT;
 * holds, settlements and the cache go through the server-only functions with the service key.
 */
export class SupabaseUserUsage extends SupabaseUserSearchShareFeedback {
  async getUsageSummary(): Promise<UsageSummary> {
    const row = unwrap(await this.user.rpc('ai_chat_usage_summary').single(), 'Reading usage');
    return usageSummaryRowSchema.parse(row);
  }

  async reserveUsage(request: UsageReservationRequest): Promise<UsageReservation> {
    const raw = unwrap(
      await this.service
        .rpc('ai_chat_reserve_usage', reserveUsageArgs(this.userId, request))
        .single(),
      'Checking usage limits',
    );
    return reservationRowSchema.parse(raw);
  }

  async holdUsage(reservationId: string, request: UsageHoldRequest): Promise<UsageHold> {
    const raw = unwrap(
      await this.service.rpc('ai_chat_hold_usage', holdUsageArgs(this.userId, reservationId, request)).single(),
      'Checking usage limits',
    );
    return holdRowSchema.parse(raw);
  }

  async settleUsage(reservationId: string, settlement: UsageSettlement): Promise<boolean> {
    const settled = unwrap(
      await this.service.rpc('ai_chat_settle_usage', settleUsageArgs(reservationId, settlement)),
      'Recording usage',
    );
    return settled === true;
  }

  async getCachedReply(key: string): Promise<CachedReply | null> {
    const rows = unwrap(
      await this.service.rpc('ai_chat_read_cached_reply', readCachedReplyArgs(this.userId, key)),
      'Reading the reply cache',
    );
    const [row] = (rows as unknown[] | null) ?? [];
    return row === undefined ? null : cachedReplyRowSchema.parse(row);
  }

  async putCachedReply(key: string, reply: CachedReply, ttlSeconds: number): Promise<void> {
    unwrap(
      await this.service.rpc('ai_chat_cache_reply', cacheReplyArgs(this.userId, key, reply, ttlSeconds)),
      'Caching the reply',
    );
  }

  async recordUsage(settlement: UsageSettlement): Promise<void> {
    unwrap(
      await this.service.rpc('ai_chat_record_usage', recordUsageArgs(this.userId, settlement)),
      'Recording usage',
    );
  }
}
