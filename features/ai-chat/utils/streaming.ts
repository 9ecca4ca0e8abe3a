// The seed's import path (`utils/streaming`), kept for apps written against it: a bare SSE stream
// of one provider call, no persistence. New code imports from `features/ai-chat/server`.
export { SSE_HEADERS, streamClaudeResponse, streamOpenAIResponse, toEventStream } from '../api/bare-stream';
