'use client';

import { createBrowserClient } from '@supabase/ssr';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';

/** Email and password sign-in (and sign-up) with Supabase Auth; the session lands in cookies. */
export function SignInForm({ url, anonKey }: { url: string; anonKey: string }) {
  const router = useRouter();
  const [mode, setMode] = useState<'sign-in' | 'sign-up'>('sign-in');
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const credentials = { email: String(form.get('email')), password: String(form.get('password')) };
    const supabase = createBrowserClient(url, anonKey);
    setBusy(true);
    setMessage(null);
    const { error, data } =
      mode === 'sign-in' ? await supabase.auth.signInWithPassword(credentials) : await supabase.auth.signUp(credentials);
    setBusy(false);
    if (error) return setMessage(error.message);
    if (!data.session) return setMessage('Check your email to confirm your address, then sign in.');
    router.replace('/');
    router.refresh();
  }

  const field =
    'w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 dark:border-zinc-700 dark:bg-zinc-900 focus-visible:outline-2 focus-visible:outline-blue-500';
  return (
    <form onSubmit={submit} className="w-full max-w-sm space-y-4" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title" className="text-xl font-semibold">
        {mode === 'sign-in' ? 'Sign in to chat' : 'Create an account'}
      </h1>
      <label className="block space-y-1 text-sm">
        <span>Email</span>
        <input name="email" type="email" autoComplete="email" required className={field} />
      </label>
      <label className="block space-y-1 text-sm">
        <span>Password</span>
        <input name="password" type="password" autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'} minLength={6} required className={field} />
      </label>
      {message ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {message}
        </p>
      ) : null}
      <button disabled={busy} className="w-full rounded-lg bg-blue-600 px-3 py-2 font-medium text-white hover:bg-blue-700 disabled:opacity-60">
        {mode === 'sign-in' ? 'Sign in' : 'Sign up'}
      </button>
      <button type="button" onClick={() => setMode(mode === 'sign-in' ? 'sign-up' : 'sign-in')} className="w-full text-sm text-blue-700 hover:underline dark:text-blue-400">
        {mode === 'sign-in' ? 'No account? Sign up' : 'Have an account? Sign in'}
      </button>
    </form>
  );
}
