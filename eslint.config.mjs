import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

const MODULE = './features/ai-chat';

// What an app may import from the module: its two front doors, and the seed's own paths (kept as
// a compatibility layer). Everything else inside features/ai-chat is internal and may move.
const PUBLIC_ENTRIES = [
  'server',
  'components/(ChatInterface|ChatMessage|ChatInput|StreamingMessage|ConversationList)',
  'hooks/(useChat|useConversations|useTokenUsage|useConversationBranching)',
  'api/(chat-handler|openai|claude)',
  'utils/(pricing|context|limits|summarize|streaming)',
];
const INTERNAL_MODULE_PATH = `(^|/)features/ai-chat/(?!(${PUBLIC_ENTRIES.join('|')})$).+`;

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  globalIgnores(['.next/**', 'out/**', 'build/**', 'next-env.d.ts', '.data/**', 'coverage/**']),
  {
    // The app around the module (the demo app here, a host app after an install) reaches it only
    // through its front doors: `features/ai-chat` on the client, `features/ai-chat/server` on the
    // server, or the seed's documented paths.
    files: ['app/**/*.{ts,tsx}', '*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: INTERNAL_MODULE_PATH,
              message:
                "Import the module through its front doors: '@/features/ai-chat' (client) or '@/features/ai-chat/server' (server).",
            },
          ],
        },
      ],
    },
  },
  {
    // The module is copied whole into other apps: it must not reach outside its folder, and
    // inside it imports are relative so it builds under any path alias.
    files: ['features/ai-chat/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@/*', '~/*'],
              message: 'Inside features/ai-chat import relatively: the module must build wherever it is copied.',
            },
          ],
        },
      ],
      'import/no-restricted-paths': [
        'error',
        {
          zones: [
            {
              target: MODULE,
              from: '.',
              except: [MODULE, './node_modules'],
              message: 'features/ai-chat imports nothing from the app around it.',
            },
            {
              // Client code must never pull in a server file: provider keys would reach the bundle.
              target: [`${MODULE}/components`, `${MODULE}/hooks`, `${MODULE}/client`, `${MODULE}/protocol`],
              from: [
                `${MODULE}/api`,
                `${MODULE}/providers`,
                `${MODULE}/store`,
                `${MODULE}/config`,
                `${MODULE}/utils/limits.ts`,
                `${MODULE}/utils/summarize.ts`,
                `${MODULE}/utils/streaming.ts`,
              ],
              message: 'Client code (components, hooks, client, protocol) must not import server files.',
            },
          ],
        },
      ],
    },
  },
]);
