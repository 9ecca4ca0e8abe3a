import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chatScreen, conversationIdOf, replyBody, sendMessage, VIEWPORT_NAMES, waitForIdle } from './support/browser';
import { baseUrl, UNTIL, uniqueTag, browserPerFile } from './support/journey';
import { seedConversation } from './support/seed';
import { chatList } from './support/sidebar';

// Journeys through the list of chats (issue 9: items 1 and 3, export and import, titles).
const open = browserPerFile();

describe.each(VIEWPORT_NAMES)('on a %s', (viewport) => {
  it('New chat after a first chat starts a second one at the top of the list; each chat opens with its own messages', async () => {
    const tag = uniqueTag();
    const first = `Plan a picnic ${tag}`;
    const second = `Write a haiku ${tag}`;
    const page = await open('/', viewport);
    const screen = chatScreen(page);
    const list = chatList(page, viewport);

    await sendMessage(page, first);
    await waitForIdle(page);
    await list.newChat();
    await expect.poll(() => screen.userMessages.count(), { ...UNTIL, message: 'no old messages after New chat' }).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/');

    await sendMessage(page, second);
    await waitForIdle(page);
    await expect.poll(async () => (await list.titles()).slice(0, 2), UNTIL).toEqual([second, first]);

    for (const question of [first, second]) {
      await list.select(question);
      await expect.poll(() => screen.userMessages.allInnerTexts(), UNTIL).toEqual([expect.stringContaining(question)]);
      await expect(replyBody(screen.replies.first()).innerText()).resolves.toBe(`Echo from gpt-5-mini: ${question}`);
    }
  });

  it('earlier chats are reachable; a new one can be started, renamed and deleted from its options menu', async () => {
    const tag = uniqueTag();
    const earlier = await seedConversation(baseUrl, {
      title: `Lisbon trip ${tag}`,
      turns: [{ user: `Plan three days in Lisbon ${tag}`, assistant: 'Day one: Alfama and the castle.' }],
    });
    const page = await open('/', viewport);
    const screen = chatScreen(page);
    const list = chatList(page, viewport);

    // The earlier chat is in the list and opens (on a phone the list closes as it does).
    await list.select(earlier.title);
    await expect.poll(() => screen.userMessages.allInnerTexts(), UNTIL).toEqual([expect.stringContaining('Plan three days in Lisbon')]);
    if (viewport === 'phone') await expect.poll(() => page.getByRole('dialog', { name: 'Chats' }).isVisible(), UNTIL).toBe(false);

    await list.newChat();
    await expect.poll(() => screen.userMessages.count(), UNTIL).toBe(0);
    const question = `Name a fruit ${tag}`;
    await sendMessage(page, question);
    await waitForIdle(page);
    await conversationIdOf(page);

    const renamed = `Fruit ${tag}`;
    await list.rename(question, renamed);
    await expect.poll(() => list.titles(), UNTIL).toContain(renamed);
    expect(await list.titles()).not.toContain(question);

    await list.remove(renamed);
    await expect.poll(() => list.titles(), UNTIL).not.toContain(renamed);
    expect(await list.titles()).toContain(earlier.title);
  });
});

it('on a slow network, a chat opened and a new chat started keep what the person typed in them', async () => {
  const tag = uniqueTag();
  const earlier = await seedConversation(baseUrl, {
    title: `Slow network ${tag}`,
    turns: [{ user: `Where is Porto ${tag}`, assistant: 'In the north of Portugal.' }],
  });
  const page = await open('/');
  const screen = chatScreen(page);
  const list = chatList(page, 'desktop');
  // A page navigation takes a second and a chat request longer: a navigation the app started
  // would land while the first message is on its way, and replace the chat the person is in.
  const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));
  await page.route('**/*', async (route) => {
    const request = route.request();
    if (request.isNavigationRequest() || request.headers()['rsc']) await pause(1_000);
    else if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/chat') await pause(2_500);
    await route.continue().catch(() => {});
  });

  await list.select(earlier.title);
  await expect.poll(() => screen.userMessages.allInnerTexts(), UNTIL).toEqual([expect.stringContaining('Where is Porto')]);
  await list.newChat();
  const question = `Name a river ${tag}`;
  await sendMessage(page, question);
  await waitForIdle(page);
  const id = await conversationIdOf(page);
  await page.waitForTimeout(1_500);
  expect(new URL(page.url()).pathname).toBe(`/c/${id}`);
  expect(await screen.userMessages.allInnerTexts()).toEqual([expect.stringContaining(question)]);
  await page.unroute('**/*');
});

it('Export as JSON downloads the chat; Import chat with that file opens a copy titled "(imported)"', async () => {
  const tag = uniqueTag();
  const question = `Compare tea and coffee ${tag}`;
  const page = await open('/');
  const screen = chatScreen(page);
  const list = chatList(page, 'desktop');
  await sendMessage(page, question);
  await waitForIdle(page);
  const originalId = await conversationIdOf(page);

  const [file] = await Promise.all([page.waitForEvent('download'), list.choose(question, 'Export as JSON')]);
  expect(file.suggestedFilename()).toMatch(/\.json$/);
  const saved = join(await mkdtemp(join(tmpdir(), 'ai-chat-export-')), file.suggestedFilename());
  await file.saveAs(saved);
  expect(JSON.parse(await readFile(saved, 'utf8'))).toMatchObject({ conversation: { title: question } });

  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Import chat', exact: true }).click(),
  ]);
  await chooser.setFiles(saved);

  await page.waitForURL((url) => /^\/c\/[^/]+$/.test(url.pathname) && !url.pathname.endsWith(originalId));
  await expect.poll(() => screen.heading.innerText(), UNTIL).toBe(`${question} (imported)`);
  await expect.poll(() => screen.userMessages.allInnerTexts(), UNTIL).toEqual([expect.stringContaining(question)]);
  await expect(replyBody(screen.replies.first()).innerText()).resolves.toBe(`Echo from gpt-5-mini: ${question}`);
  await expect.poll(() => list.titles(), UNTIL).toEqual(expect.arrayContaining([question, `${question} (imported)`]));
});

it('titles are plain words; renaming keeps a chat in place; a deleted chat\'s address says so and offers no input', async () => {
  const tag = uniqueTag();
  const page = await open('/');
  const screen = chatScreen(page);
  const list = chatList(page, 'desktop');

  await sendMessage(page, '**Hello** `world`');
  await waitForIdle(page);
  const helloId = await conversationIdOf(page);
  await list.entry(page, 'Hello world').waitFor();
  await expect.poll(async () => (await list.titles())[0], UNTIL).toBe('Hello world');

  await list.newChat();
  await expect.poll(() => screen.userMessages.count(), UNTIL).toBe(0);
  const later = `A later chat ${tag}`;
  await sendMessage(page, later);
  await waitForIdle(page);
  await expect.poll(async () => (await list.titles()).slice(0, 2), UNTIL).toEqual([later, 'Hello world']);

  // Renaming is not news: the chat stays where the time of its last message puts it.
  const renamed = `Greeting ${tag}`;
  await list.rename('Hello world', renamed);
  await expect.poll(async () => (await list.titles()).slice(0, 2), UNTIL).toEqual([later, renamed]);
  await page.reload();
  await expect.poll(async () => (await list.titles()).slice(0, 2), UNTIL).toEqual([later, renamed]);

  await list.remove(renamed);
  await page.goto(`/c/${helloId}`);
  await expect(page.getByText("This chat doesn't exist or was deleted.").waitFor()).resolves.toBeUndefined();
  await expect(page.getByRole('link', { name: 'Start a new chat' }).count()).resolves.toBe(1);
  await expect(screen.input.count()).resolves.toBe(0);

  const favicon = await page.request.get('/favicon.ico');
  expect(favicon.status()).toBe(200);
});
