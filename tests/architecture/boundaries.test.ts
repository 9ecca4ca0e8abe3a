import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const moduleDir = path.join(root, 'features/ai-chat');
const SERVER_FOLDERS = ['api', 'providers', 'store', 'config'];

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the module boundaries', () => {
  it('every server file starts with the server-only guard, so a key can never reach a client bundle', async () => {
    const unguarded: string[] = [];
    for (const folder of SERVER_FOLDERS) {
      for (const file of await filesUnder(path.join(moduleDir, folder))) {
        const text = await readFile(file, 'utf8');
        const firstStatement = text.replace(/^(\s*(\/\/[^\n]*|\/\*[\s\S]*?\*\/))*\s*/, '').split('\n')[0];
        const typesOnly = !/^\s*(export\s+(async\s+)?(function|const|class|let)|const |function |class )/m.test(text);
        if (firstStatement !== "import 'server-only';" && !typesOnly) unguarded.push(path.relative(root, file));
      }
    }
    expect(unguarded).toEqual([]);
  });

  it('lint refuses an import from outside the module and a server file imported by client code', async () => {
    const eslint = new ESLint({ cwd: root });
    const probe = [
      "import { POST } from '@/app/api/chat/route';",
      "import { x } from '../../../tests/support/sse';",
      "import { getChatStore } from '../store';",
      'export const probe = [POST, x, getChatStore];',
    ].join('\n');
    const [result] = await eslint.lintText(probe, { filePath: path.join(moduleDir, 'hooks/probe.ts') });
    const messages = result!.messages.map((message) => message.message);
    expect(messages.some((message) => message.includes('imports nothing from the app around it'))).toBe(true);
    expect(messages.some((message) => message.includes('must not import server files'))).toBe(true);
    expect(messages.some((message) => message.includes('import relatively'))).toBe(true);
  });

  it('lint lets the app reach the module only through its front doors and the seed paths', async () => {
    const eslint = new ESLint({ cwd: root });
    const lint = async (specifier: string) => {
      const probe = `import * as probe from '${specifier}';\nexport default probe;\n`;
      const [result] = await eslint.lintText(probe, { filePath: path.join(root, 'app/probe.ts') });
      return result!.messages.some((message) => message.message.includes('front doors'));
    };
    for (const allowed of [
      '@/features/ai-chat',
      '@/features/ai-chat/server',
      '@/features/ai-chat/components/ChatInterface',
      '@/features/ai-chat/hooks/useTokenUsage',
      '@/features/ai-chat/api/chat-handler',
      '@/features/ai-chat/utils/pricing',
    ]) {
      expect(await lint(allowed), allowed).toBe(false);
    }
    for (const internal of ['@/features/ai-chat/protocol/records', '@/features/ai-chat/server/http/http', '@/features/ai-chat/components/icons']) {
      expect(await lint(internal), internal).toBe(true);
    }
  });
});
