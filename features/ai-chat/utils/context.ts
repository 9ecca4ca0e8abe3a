// The seed's import path (`utils/context`), kept for apps written against it: history fitting lives
// with the turn on the server. New code imports from `features/ai-chat/server`.
export {
  FALLBACK_CONTEXT_WINDOW,
  fitToContextWindow,
  truncateMessages,
  truncateMessagesDetailed,
  type FitToContextOptions,
  type FitToContextResult,
  type TruncateOptions,
  type TruncateResult,
} from '../server/turn/context';
