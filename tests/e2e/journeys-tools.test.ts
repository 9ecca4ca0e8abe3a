import { describe, expect, it } from 'vitest';
import { axeViolations, describeViolations, isSerious } from './support/axe';
import { chatScreen, replyBody, sendMessage, waitForIdle } from './support/browser';
import { browserPerFile, lane, providers, UNTIL, uniqueTag } from './support/journey';

// Issue 22: a tool that acts asks the person first. The app runs with a real MCP server's tools
// (AI_CHAT_MCP_SERVERS, global setup); its `send_email` is not annotated read-only, so each call
// waits for Approve or Deny in the page.
const open = browserPerFile();
const toolsApp = lane.toolsBaseUrl;

describe('approving tool calls', () => {
  it('a person approves an email (after a reload), sees it sent, then denies another and sees it was not', async () => {
    const tag = uniqueTag();
    const page = await open('/', 'desktop', { app: toolsApp });
    const screen = chatScreen(page);
    await providers.script(
      'openai',
      { toolCalls: [{ name: 'mail__send_email', args: { to: `bob-${tag}@example.com`, body: 'Lunch at noon?' } }] },
      { text: `Sent to Bob ${tag}.` },
    );
    await sendMessage(page, `Email Bob about lunch ${tag}`);

    const prompt = screen.log.getByRole('group', { name: 'Approve mail__send_email?' });
    await prompt.waitFor();
    expect(await prompt.innerText()).toContain(`bob-${tag}@example.com`);
    expect(await prompt.innerText()).toContain('Lunch at noon?');

    // The reply waits on the server: a reload shows the same question again.
    await page.reload();
    await prompt.waitFor();
    await prompt.getByRole('button', { name: 'Approve' }).click();
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain(`Sent to Bob ${tag}.`);
    expect(await screen.replies.last().getByText('Approved.').count()).toBe(1);
    expect(await screen.replies.last().textContent()).toContain(`sent to bob-${tag}@example.com`);
    expect(await prompt.count()).toBe(0);
    // The reply's words can show before its stream has ended; Enter sends nothing until it has.
    await waitForIdle(page);

    await providers.script(
      'openai',
      { toolCalls: [{ name: 'mail__send_email', args: { to: `everyone-${tag}@example.com`, body: 'Spam' } }] },
      { text: `Alright, I did not send it ${tag}.` },
    );
    await sendMessage(page, `Email everyone ${tag}`);
    await prompt.waitFor();
    await prompt.getByRole('button', { name: 'Deny' }).click();
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain(`Alright, I did not send it ${tag}.`);
    expect(await screen.replies.last().getByText('You declined this.').count()).toBe(1);
    expect(await screen.replies.last().textContent()).toContain('declined to run mail__send_email');
  });
});

describe('turning a server off for a chat', () => {
  // Issue 22: "the chat's UI can list which tools a conversation may use and turn a server off for it".
  it('on a phone in dark mode, a person lists the tools, turns mail off by keyboard, asks, and the model is not offered mail; then turns it back on', async () => {
    const tag = uniqueTag();
    const page = await open('/', 'phone', { app: toolsApp, colorScheme: 'dark' });
    const screen = chatScreen(page);
    const tools = screen.main.getByRole('button', { name: 'Tools' });
    const seen = async (text: string) => (await providers.requests('openai')).filter((request) => request.text.includes(text)).at(-1);

    // A new chat has nothing to switch yet; once it exists, the Tools control is there.
    await screen.input.waitFor();
    expect(await tools.count()).toBe(0);
    await providers.script('openai', { text: `Hello ${tag}.` });
    await sendMessage(page, `Hi ${tag}`);
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain(`Hello ${tag}.`);
    await waitForIdle(page);
    expect((await seen(`Hi ${tag}`))?.tools).toEqual(expect.arrayContaining(['mail__send_email', 'mail__lookup']));

    await tools.click();
    const dialog = page.getByRole('dialog', { name: 'Tools in this chat' });
    const mail = dialog.getByRole('region', { name: 'mail' });
    await mail.getByText('mail__send_email').waitFor();
    expect(await mail.innerText()).toContain('mail__lookup');
    expect(await mail.getByText('Asks first').count()).toBe(1);
    const violations = (await axeViolations(page)).filter(isSerious);
    expect(violations.length === 0 ? '' : describeViolations(violations)).toBe('');

    const toggle = mail.getByRole('switch', { name: 'Use mail in this chat' });
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    await toggle.focus();
    await page.keyboard.press('Space');
    await expect.poll(() => toggle.getAttribute('aria-checked'), UNTIL).toBe('false');
    await expect.poll(() => toggle.isEnabled(), UNTIL).toBe(true);
    expect(await mail.innerText()).toContain('Off in this chat');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });

    await providers.script('openai', { text: `No mail here ${tag}.` });
    await sendMessage(page, `Email Bob ${tag}`);
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain(`No mail here ${tag}.`);
    await waitForIdle(page);
    const without = await seen(`Email Bob ${tag}`);
    expect(without).toBeDefined();
    expect(without!.tools.filter((name) => name.startsWith('mail__'))).toEqual([]);

    // After a reload the switch reads the chat's setting back from the server; on again, mail is offered again.
    await page.reload();
    await tools.click();
    await expect.poll(() => toggle.getAttribute('aria-checked'), UNTIL).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked'), UNTIL).toBe('true');
    await expect.poll(() => toggle.isEnabled(), UNTIL).toBe(true);
    await dialog.getByRole('button', { name: 'Close' }).click();
    await providers.script('openai', { text: `Mail is back ${tag}.` });
    await sendMessage(page, `And now ${tag}`);
    await expect.poll(() => replyBody(screen.replies.last()).innerText(), UNTIL).toContain(`Mail is back ${tag}.`);
    expect((await seen(`And now ${tag}`))?.tools).toEqual(expect.arrayContaining(['mail__send_email', 'mail__lookup']));
  });
});
