// The client's front door: the components, the hooks and the public types. An app imports from
// here (or from `./server` on the server); every other file in the module is internal and may
// move. The seed's deep paths (components/ChatInterface, hooks/useChat, …) keep working.

export { ChatInterface, type ChatInterfaceProps } from './components/ChatInterface';
export { ChatMessage, type ChatMessageProps } from './components/ChatMessage';
export { ToolApprovalPrompt } from './components/ToolApprovalPrompt';
export { ChatInput, type ChatInputProps } from './components/ChatInput';
export { StreamingMessage, type StreamingMessageProps } from './components/StreamingMessage';
export { ConversationList, type ConversationListProps } from './components/ConversationList';
export { SearchButton, SearchDialog, type SearchDialogProps } from './components/SearchDialog';
export { revealMessage } from './components/reveal-message';
export { ShareButton, ShareDialog, type ShareButtonProps } from './components/ShareDialog';
export { FeedbackButtons, type FeedbackButtonsProps } from './components/FeedbackButtons';
export { ChatTranscript, type ChatTranscriptProps } from './components/ChatTranscript';
export { ToolsControl, type ToolsControlProps } from './components/ToolsControl';
export { SettingsDialog, useDefaultModel, type SettingsDialogProps } from './components/SettingsDialog';
export { ShortcutsDialog } from './components/ShortcutsDialog';
export { InstructionsDialog, type InstructionsDialogProps } from './components/InstructionsDialog';
export { ThemeToggle } from './components/ThemeToggle';
export { THEME_INIT_SCRIPT, type ThemeChoice } from './components/theme';
export { useKeyboardShortcuts, KEYBOARD_SHORTCUTS, type ShortcutAction } from './components/keyboard-shortcuts';

export {
  useChat,
  type AttachmentRecord,
  type ChatMessageState,
  type ChatMessageView,
  type ChatStatus,
  type SendMessageOptions,
  type UseChatOptions,
  type UseChatResult,
} from './hooks/useChat';
export { useConversations, type UseConversationsOptions, type UseConversationsResult } from './hooks/useConversations';
export { useTokenUsage, type UseTokenUsageOptions, type UseTokenUsageResult } from './hooks/useTokenUsage';
export { useConversationTools, type UseConversationToolsResult } from './hooks/useConversationTools';
export {
  useConversationBranching,
  type CreateBranchInput,
  type CreatedBranch,
  type UseConversationBranchingResult,
} from './hooks/useConversationBranching';

export { httpChatTransport, type ChatTransport, type ReplyEvents } from './client/chat-transport';

export type { ConversationRecord, MessageRecord, MessageRole, MessageStatus, UsageSummary } from './protocol/records';
export type { MessagePart } from './protocol/parts';
export type { ChatEvent, ChatFinishReason } from './protocol/chat-events';
export type { ProviderName, RequestedReasoningEffort } from './protocol/chat-request';
export type { ChatConfig, ConversationDetail, ConversationTools, UsageResponse } from './protocol/rest';
export type { ChatErrorCode } from './protocol/errors';
export type { SearchHit } from './protocol/search';
export type { ShareLink, SharedConversation, SharedMessage } from './protocol/share';
export type { FeedbackRating, MessageFeedback } from './protocol/feedback';
