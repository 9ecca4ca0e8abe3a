import { redirect } from 'next/navigation';
import { ChatApp } from '../../chat-app';
import { providerSetupNotice, usesSupabase } from '../../setup-notice';
import { currentSupabaseUser } from '../../supabase-session';

export const dynamic = 'force-dynamic';

export default async function ConversationPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await currentSupabaseUser();
  if (usesSupabase() && !user) redirect('/sign-in');
  // The key remounts the chat when another conversation is opened.
  return <ChatApp key={id} conversationId={id} notice={providerSetupNotice()} account={user?.email ?? null} />;
}
