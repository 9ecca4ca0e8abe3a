// The seed's import path for the server handler, kept as a thin re-export, and the home of the
// handler the environment configures whole. New code imports `features/ai-chat/server`.
export * from '../server/http/chat-handler';
// The handler the environment configures, store included (all three stores' drivers bundled).
export { chatHandlerOptionsFromEnv, getDefaultChatHandler, handleChatRequest, handleChatRoutes } from '../server/http/default-handler';
export { handlerOptionsFromEnv } from '../server/http/env-options';
// Opens the env-chosen embedded store at server start (instrumentation), beside the handler that uses it.
export { prepareEmbeddedStore } from '../store/prepare-embedded';
