import { redirect } from 'next/navigation';
import { usesSupabase } from '../setup-notice';
import { SignInForm } from './sign-in-form';

export const dynamic = 'force-dynamic';

export default function SignInPage() {
  // The embedded store has one local user and nothing to sign in to.
  if (!usesSupabase()) redirect('/');
  return (
    <main className="flex min-h-dvh items-center justify-center p-6">
      <SignInForm url={process.env.NEXT_PUBLIC_SUPABASE_URL!} anonKey={process.env.NEXT_PUBLIC_SUPABASE_ANON_KEY!} />
    </main>
  );
}
