import { handleChatRequest } from '@/features/ai-chat/api/chat-handler';

export async function POST(request: Request) {
  return handleChatRequest(request);
}
