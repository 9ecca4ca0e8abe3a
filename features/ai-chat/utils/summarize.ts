// The seed's import path (`utils/summarize`), kept for apps written against it. New code imports
// from `features/ai-chat/server`.
export {
  SUMMARY_MODELS,
  summarizeConversation,
  summarizeWithUsage,
  type SummarizeOptions,
  type SummaryResult,
} from '../server/turn/summarize';
