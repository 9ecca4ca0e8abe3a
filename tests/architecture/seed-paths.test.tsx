import { describe, expect, it } from 'vitest';
// The seed's import paths and calls, as its README writes them: `npm run typecheck` holds them to
// type-check, and this test to resolve. They are the compatibility layer over the front doors.
import { sendClaudeMessage } from '@/features/ai-chat/api/claude';
import { createChatHandler, handleChatRequest } from '@/features/ai-chat/api/chat-handler';
import { sendOpenAIMessage } from '@/features/ai-chat/api/openai';
import { ChatInput } from '@/features/ai-chat/components/ChatInput';
import { ChatInterface } from '@/features/ai-chat/components/ChatInterface';
import { ChatMessage } from '@/features/ai-chat/components/ChatMessage';
import { StreamingMessage } from '@/features/ai-chat/components/StreamingMessage';
import { useChat } from '@/features/ai-chat/hooks/useChat';
import { useConversations } from '@/features/ai-chat/hooks/useConversations';
import { useTokenUsage } from '@/features/ai-chat/hooks/useTokenUsage';
import * as front from '@/features/ai-chat';
import * as server from '@/features/ai-chat/server';
import { checkUsageLimit } from '@/features/ai-chat/utils/limits';
import { truncateMessages } from '@/features/ai-chat/utils/context';
import { calculateCost } from '@/features/ai-chat/utils/pricing';
import { streamOpenAIResponse } from '@/features/ai-chat/utils/streaming';
import { summarizeConversation } from '@/features/ai-chat/utils/summarize';

// Never called: it only has to type-check, with the seed's own props and hook arguments.
function SeedPage({ userId }: { userId: string }) {
  const { messages, loading, error, sendMessage, clearMessages, retryLastMessage } = useChat({ conversationId: 'conv_123', provider: 'openai' });
  const { totalTokens, cost, messagesCount } = useTokenUsage(userId);
  const { conversations, createConversation, deleteConversation } = useConversations(userId);
  void [messages, loading, error, sendMessage, clearMessages, retryLastMessage, totalTokens, cost, messagesCount];
  void [conversations, createConversation, deleteConversation];
  return (
    <div>
      <ChatInterface
        userId={userId}
        conversationId="conv_123"
        systemPrompt="Custom instructions"
        provider="openai"
        model="gpt-4-turbo-preview"
        temperature={0.7}
        maxTokens={2000}
        onMessageSent={(message) => console.log(message)}
      />
      <ChatMessage role="assistant" content="Hello! How can I help you?" timestamp={new Date()} />
      <ChatInput onSend={(message) => console.log(message)} disabled={false} placeholder="Type your message..." />
      <StreamingMessage content="streamContent" isComplete={false} />
    </div>
  );
}

describe("the seed's import paths", () => {
  it('resolve to the same functions as the front doors', () => {
    expect(SeedPage).toBeTypeOf('function');
    expect(ChatInterface).toBe(front.ChatInterface);
    expect(ChatMessage).toBe(front.ChatMessage);
    expect(ChatInput).toBe(front.ChatInput);
    expect(StreamingMessage).toBe(front.StreamingMessage);
    expect(useChat).toBe(front.useChat);
    expect(useConversations).toBe(front.useConversations);
    expect(useTokenUsage).toBe(front.useTokenUsage);
    expect(handleChatRequest).toBeTypeOf('function');
    expect(createChatHandler).toBe(server.createChatHandler);
    expect(sendOpenAIMessage).toBe(server.sendOpenAIMessage);
    expect(sendClaudeMessage).toBe(server.sendClaudeMessage);
    expect(streamOpenAIResponse).toBe(server.streamOpenAIResponse);
    expect(calculateCost).toBe(server.calculateCost);
    expect(truncateMessages).toBe(server.truncateMessages);
    expect(checkUsageLimit).toBeTypeOf('function');
    expect(summarizeConversation).toBe(server.summarizeConversation);
  });
});
