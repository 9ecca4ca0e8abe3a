import type { Metadata, Viewport } from 'next';
import { THEME_INIT_SCRIPT } from '@/features/ai-chat';
import './globals.css';

export const metadata: Metadata = {
  title: 'AI Chat',
  description: 'Chat with OpenAI and Claude models; conversations saved to Postgres.',
};

export const viewport: Viewport = {
  themeColor: [
    { media: '(prefers-color-scheme: light)', color: '#ffffff' },
    { media: '(prefers-color-scheme: dark)', color: '#0a0a0a' },
  ],
};

export default function RootLayout({ children }: Readonly<{ children: React.ReactNode }>) {
  return (
    // The theme script puts `.dark` or `.light` on <html> (the saved choice) before React hydrates.
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* The theme (light, dark or system, kept per browser) before the first paint: no flash. */}
        <script dangerouslySetInnerHTML={{ __html: THEME_INIT_SCRIPT }} />
      </head>
      <body className="h-dvh bg-background text-foreground antialiased">{children}</body>
    </html>
  );
}
