import { redirect } from 'next/navigation';
import { ChatApp } from './chat-app';
import { providerSetupNotice, usesSupabase } from './setup-notice';
import { currentSupabaseUser } from './supabase-session';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const user = await currentSupabaseUser();
  if (usesSupabase() && !user) redirect('/sign-in');
  return <ChatApp notice={providerSetupNotice()} account={user?.email ?? null} />;
}
