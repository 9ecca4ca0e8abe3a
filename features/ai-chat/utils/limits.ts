// The seed's import path (`utils/limits`), kept for apps written against it. New code imports
// from `features/ai-chat/server`.
export {
  checkUsageLimit,
  describeUsage,
  getUsageLimitStatus,
  type CheckUsageLimitOptions,
  type UsageLimitValues,
} from '../server/ledger/check-usage-limit';
