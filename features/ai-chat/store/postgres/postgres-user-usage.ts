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
import { cachedReplyRowSchema, holdRowSchema, reservationRowSchema, usageSummaryRowSchema } from './rows';
import { PostgresUserSearchShareFeedback } from './postgres-user-search-share-feedback';
import { scalarCall } from './user-session';

/**
 * A user's usage and reply cache on any Postgres: the meter reads as the user under RLS; holds,
 * settlements and the cache go through the server-only functions as service_role.
 */
export class PostgresUserUsage extends PostgresUserSearchShareFeedback {
  async getUsageSummary(): Promise<UsageSummary> {
    const rows = await this.statementAs('authenticated', 'Reading usage', `select * from public.ai_chat_usage_summary()`);
    return usageSummaryRowSchema.parse(rows[0]);
  }

  async reserveUsage(request: UsageReservationRequest): Promise<UsageReservation> {
    // The function takes the user's advisory lock: sent as one round trip, it is held only while it runs.
    const rows = await this.callAsServer('Checking usage limits', 'ai_chat_reserve_usage', reserveUsageArgs(this.userId, request));
    return reservationRowSchema.parse(rows[0]);
  }

  async holdUsage(reservationId: string, request: UsageHoldRequest): Promise<UsageHold> {
    const rows = await this.callAsServer('Checking usage limits', 'ai_chat_hold_usage', holdUsageArgs(this.userId, reservationId, request));
    return holdRowSchema.parse(rows[0]);
  }

  async settleUsage(reservationId: string, settlement: UsageSettlement): Promise<boolean> {
    const { text, params } = scalarCall('ai_chat_settle_usage', settleUsageArgs(reservationId, settlement), 'settled');
    const rows = await this.statementAs('service_role', 'Recording usage', text, params);
    return rows[0]?.settled === true;
  }

  async getCachedReply(key: string): Promise<CachedReply | null> {
    const rows = await this.callAsServer('Reading the reply cache', 'ai_chat_read_cached_reply', readCachedReplyArgs(this.userId, key));
    return rows.length > 0 ? cachedReplyRowSchema.parse(rows[0]) : null;
  }

  async putCachedReply(key: string, reply: CachedReply, ttlSeconds: number): Promise<void> {
    await this.callAsServer('Caching the reply', 'ai_chat_cache_reply', cacheReplyArgs(this.userId, key, reply, ttlSeconds));
  }

  async recordUsage(settlement: UsageSettlement): Promise<void> {
    await this.callAsServer('Recording usage', 'ai_chat_record_usage', recordUsageArgs(this.userId, settlement));
  }
}
