import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations, isSerious } from './support/axe';
import { chatScreen, isInView, type ViewportName } from './support/browser';
import { baseUrl, browserPerFile, UNTIL, uniqueTag } from './support/journey';
import { chatList } from './support/sidebar';

// Issue 20, points 2, 4 and 5 as a person takes them: search finds a word of an old reply and
// opens it on its branch; a share link opens without the owner's session, then is revoked;
// thumbs on a reply survive a reload. Desktop and phone, light and dark, axe clean.
const open = browserPerFile();

const CASES: Array<{ viewport: ViewportName; colorScheme: 'light' | 'dark' }> = [
  { viewport: 'desktop', colorScheme: 'light' },
  { viewport: 'phone', colorScheme: 'dark' },
  { viewport: 'desktop', colorScheme: 'dark' },
  { viewport: 'phone', colorScheme: 'light' },
];

/** Imports a chat whose question has two replies: `oldReply` on the branch not shown, `newReply` on show. */
async function seedBranchedChat(title: string, question: string, oldReply: string, newReply: string): Promise<string> {
  const at = (seconds: number) => new Date(Date.now() - 60_000 + seconds * 1_000).toISOString();
  const response = await fetch(`${baseUrl}/api/chat/conversations/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      format: 'ai-chat.conversation',
      version: 1,
      exportedAt: at(10),
      conversation: { title, provider: 'openai', model: 'gpt-5-mini', createdAt: at(0), updatedAt: at(10), activeLeafId: 'a1' },
      messages: [
        { id: 'u0', parentId: null, role: 'user', content: question, createdAt: at(1) },
        { id: 'a0', parentId: 'u0', role: 'assistant', content: oldReply, provider: 'openai', model: 'gpt-5-mini', cost: '0.0042', tokens: 42, createdAt: at(2) },
        { id: 'a1', parentId: 'u0', role: 'assistant', content: newReply, provider: 'openai', model: 'gpt-5-mini', cost: '0.0042', tokens: 42, createdAt: at(3) },
      ],
    }),
  });
  if (response.status !== 201) throw new Error(`import answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { conversation: { id: string } }).conversation.id;
}

async function expectAxeClean(page: Page, where: string): Promise<void> {
  await page.mouse.move(0, 0);
  const serious = (await axeViolations(page)).filter(isSerious);
  expect(serious.length, `${where}: serious or critical violations:\n${describeViolations(serious)}`).toBe(0);
}

describe.each(CASES)('on a $viewport, $colorScheme', ({ viewport, colorScheme }) => {
  it('search finds a word of an old reply on a branch not shown, and opens the chat there, on that branch', async () => {
    const tag = uniqueTag();
    const word = `marzipan${tag}`;
    const title = `Dinner ideas ${tag}`;
    await seedBranchedChat(title, `Suggest a dessert ${tag}`, `Bake a ${word} tart with almonds.`, 'Serve fresh berries with cream.');
    const page = await open('/', viewport, { colorScheme });
    const screen = chatScreen(page);
    await screen.input.waitFor();

    const scope = viewport === 'phone' ? await chatList(page, viewport).open() : page;
    await scope.getByRole('button', { name: 'Search chats' }).click();
    const dialog = page.getByRole('dialog', { name: 'Search chats' });
    await dialog.getByRole('searchbox', { name: 'Search chats' }).fill(word.slice(0, -1));
    const result = dialog.getByRole('button', { name: new RegExp(title) });
    await result.waitFor();
    await expect(result.locator('mark').innerText()).resolves.toBe(word);
    await expectAxeClean(page, 'the search dialog with a result');

    await result.click();
    await expect.poll(() => dialog.isVisible(), UNTIL).toBe(false);
    await page.waitForURL(/\/c\/[^/]+$/);
    const found = screen.replies.filter({ hasText: word });
    await found.waitFor();
    await expect.poll(() => isInView(found), UNTIL).toBe(true);
    expect(await screen.replies.filter({ hasText: 'fresh berries' }).count()).toBe(0);
    // The branch was switched on the server: a reload shows it too.
    await page.reload();
    await screen.replies.filter({ hasText: word }).waitFor();
  });

  it('a share link opens in a fresh browser without the owner, shows only the chat as shared, and is 404 once revoked', async () => {
    const tag = uniqueTag();
    const title = `Shared recipe ${tag}`;
    const id = await seedBranchedChat(title, `How do I poach an egg ${tag}?`, 'Old branch: never shared.', `Swirl the water and simmer ${tag}.`);
    const owner = await open(`/c/${id}`, viewport, { colorScheme });
    await chatScreen(owner).replies.first().waitFor();

    await owner.getByRole('button', { name: 'Share', exact: true }).click();
    const dialog = owner.getByRole('dialog', { name: 'Share this chat' });
    await dialog.getByRole('status').filter({ hasText: 'Not shared.' }).waitFor();
    await dialog.getByRole('button', { name: 'Create link' }).click();
    const link = dialog.getByRole('textbox', { name: 'Share link' });
    await link.waitFor();
    const address = new URL(await link.inputValue());
    expect(address.pathname).toMatch(/^\/share\/[A-Za-z0-9_-]{43}$/);
    await expectAxeClean(owner, 'the share dialog with a link');

    // Someone else, in a browser that never saw the owner's chat.
    const reader = await open('/', viewport, { colorScheme: colorScheme === 'light' ? 'dark' : 'light' });
    const first = await reader.goto(address.pathname);
    expect(first?.status()).toBe(200);
    await expect(reader.getByRole('heading', { level: 1 }).innerText()).resolves.toBe(`${title} (imported)`);
    const transcript = reader.getByRole('log', { name: 'Conversation' });
    await expect(transcript.getByRole('article', { name: 'Assistant said' }).innerText()).resolves.toContain(`Swirl the water and simmer ${tag}.`);
    expect(await reader.getByText('Old branch: never shared.').count()).toBe(0);
    expect(await reader.getByText('gpt-5-mini').count()).toBe(0);
    expect(await reader.getByRole('textbox').count()).toBe(0);
    expect(await reader.locator('meta[name="robots"]').getAttribute('content')).toContain('noindex');
    await expectAxeClean(reader, 'the shared chat page');

    await dialog.getByRole('button', { name: 'Revoke link' }).click();
    await dialog.getByRole('status').filter({ hasText: 'Not shared.' }).waitFor();
    const after = await reader.reload();
    expect(after?.status()).toBe(404);
    expect(await reader.getByText(`Swirl the water`).count()).toBe(0);
  });

  it('thumbs up on a reply, then down with a comment: each survives a reload', async () => {
    const tag = uniqueTag();
    const id = await seedBranchedChat(`Feedback ${tag}`, `Name a river ${tag}`, 'The Nile.', `The Danube ${tag}.`);
    const page = await open(`/c/${id}`, viewport, { colorScheme });
    const reply = () => chatScreen(page).replies.filter({ hasText: `The Danube ${tag}.` });
    await reply().waitFor();

    const saved = () => page.waitForResponse((response) => response.url().endsWith('/feedback') && response.request().method() === 'POST');
    let done = saved();
    await reply().getByRole('button', { name: 'Good reply' }).click();
    expect((await done).status()).toBe(200);
    await page.reload();
    await expect.poll(() => reply().getByRole('button', { name: 'Good reply' }).getAttribute('aria-pressed'), UNTIL).toBe('true');
    expect(await reply().getByRole('button', { name: 'Bad reply' }).getAttribute('aria-pressed')).toBe('false');
    await expectAxeClean(page, 'a reply with thumbs up');

    done = saved();
    await reply().getByRole('button', { name: 'Bad reply' }).click();
    await done;
    await reply().getByRole('button', { name: 'Add a comment' }).click();
    await reply().getByRole('textbox', { name: 'Comment on this reply' }).fill('Too short');
    done = saved();
    await reply().getByRole('button', { name: 'Save' }).click();
    await done;
    await page.reload();
    await expect.poll(() => reply().getByRole('button', { name: 'Bad reply' }).getAttribute('aria-pressed'), UNTIL).toBe('true');
    await reply().getByRole('button', { name: 'Edit comment' }).waitFor();
  });
});
