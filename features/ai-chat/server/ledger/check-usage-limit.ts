import 'server-only';
import { ChatError } from '../../protocol/errors';
import type { UsageResponse } from '../../protocol/rest';
import type { ChatStore, UserChatStore } from '../../store/chat-store';
import { describeUsage, type UsageLimitValues } from './describe-usage';

export { describeUsage, type UsageLimitValues } from './describe-usage';

/**
 * Usage limits per user. The enforcement that holds under concurrency is in the chat handler
 * (an atomic reservation in the database); these are the read-only checks and figures around it.
 */

export interface CheckUsageLimitOptions extends UsageLimitValues {
  /** The request whose session says who the user is. */
  request?: Request;
  /** Or the user's store, when you already have it. */
  user?: UserChatStore;
  /** Default: the store the environment configures. */
  store?: ChatStore;
  /**
   * Accepted for compatibility with the original API and ignored: who the user is comes from the
   * session, never from a value a caller could forge.
   */
  userId?: string;
}

/** Whether the user is still under both limits (as the original `checkUsageLimit`). */
export async function checkUsageLimit(options: CheckUsageLimitOptions): Promise<boolean> {
  const status = await getUsageLimitStatus(options);
  const { remaining } = status;
  return remaining.tokensToday !== 0 && remaining.costThisMonth !== '0';
}

/** The user's usage against these limits. */
export async function getUsageLimitStatus(options: CheckUsageLimitOptions): Promise<UsageResponse> {
  const user = options.user ?? (options.request ? await (options.store ?? (await import('../../store')).getChatStore()).forRequest(options.request) : null);
  if (!user) {
    throw new ChatError(
      options.request ? 'unauthorized' : 'bad_request',
      options.request ? 'Sign in to chat.' : 'checkUsageLimit needs the request (or the user store): identity comes from the session.',
    );
  }
  return describeUsage(await user.getUsageSummary(), options);
}
