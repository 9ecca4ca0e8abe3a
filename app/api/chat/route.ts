import { handleChatRequest } from '@/features/ai-chat/server/http/chat-handler';

export async function POST(request: Request) {
  return handleChatRequest(request);
}
