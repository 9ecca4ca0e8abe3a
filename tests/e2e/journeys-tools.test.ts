import { describe, expect, inject, it } from 'vitest';
import { chatScreen, replyBody, sendMessage } from './support/browser';
import { browserPerFile, providers, UNTIL, uniqueTag } from './support/journey';

// Issue 22: a tool that acts asks the person first. The app runs with a real MCP server's tools
// (AI_CHAT_MCP_SERVERS, global setup); its `send_email` is not annotated read-only, so each call
// waits for Approve or Deny in the page.
const open = browserPerFile();
const toolsApp = inject('toolsBaseUrl');

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
