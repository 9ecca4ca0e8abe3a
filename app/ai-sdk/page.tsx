import { redirect } from 'next/navigation';
import { AiSdkChat } from './ai-sdk-chat';

export const dynamic = 'force-dynamic';

/**
 * The module's server behind the AI SDK's own client (`useChat` from @ai-sdk/react), as an app
 * built on the AI SDK would use it (docs/ai-sdk.md). The chat id lives in the URL, so a reload
 * reopens the same chat and resumes its reply in progress.
 */
export default async function AiSdkPage({ searchParams }: { searchParams: Promise<{ chat?: string }> }) {
  const { chat } = await searchParams;
  if (!chat) redirect(`/ai-sdk?chat=${crypto.randomUUID()}`);
  return <AiSdkChat key={chat} chatId={chat} />;
}
