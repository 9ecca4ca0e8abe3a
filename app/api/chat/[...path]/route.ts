import { handleChatRoutes } from '@/features/ai-chat/api/chat-handler';

// The module's REST routes: conversations, usage and config under /api/chat/...
export const GET = handleChatRoutes;
export const POST = handleChatRoutes;
export const PATCH = handleChatRoutes;
export const DELETE = handleChatRoutes;
