import { defineConfig, globalIgnores } from 'eslint/config';
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';

const MODULE = './features/ai-chat';

export default defineConfig([
  ...nextVitals,
  ...nextTypescript,
  globalIgnores(['.next/**', 'out/**', 'build/**', 'next-env.d.ts', '.data/**', 'coverage/**']),
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
