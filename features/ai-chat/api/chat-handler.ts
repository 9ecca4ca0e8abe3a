// The seed's import path for the server handler, kept as a thin re-export. New code imports
// `features/ai-chat/server`.
export * from '../server/http/chat-handler';
