import type { Locator, Page } from 'playwright-core';
import type { ViewportName } from './browser';

type Scope = Page | Locator;

/**
 * The list of chats as a person reaches it: beside the chat on a laptop, behind "Open chats"
 * (a modal dialog named "Chats") on a phone. Names are the UI contract's.
 */
export function chatList(page: Page, viewport: ViewportName) {
  const dialog = page.getByRole('dialog', { name: 'Chats' });

  /** Shows the list (on a phone: opens the dialog) and answers where its entries are. */
  async function open(): Promise<Scope> {
    if (viewport === 'desktop') return page;
    if (!(await dialog.isVisible())) await page.getByRole('button', { name: 'Open chats', exact: true }).click();
    await dialog.waitFor({ state: 'visible' });
    return dialog;
  }

  /** The entry that opens the chat titled `title` (a link or a button). */
  const entry = (scope: Scope, title: string) =>
    scope.getByRole('link', { name: title, exact: true }).or(scope.getByRole('button', { name: title, exact: true }));

  const optionsButton = (scope: Scope, title: string) => scope.getByRole('button', { name: `Options for ${title}`, exact: true });

  /** Opens "Options for <title>" and picks `item` from its menu. */
  async function choose(title: string, item: 'Rename' | 'Export as Markdown' | 'Export as JSON' | 'Delete'): Promise<void> {
    const scope = await open();
    await optionsButton(scope, title).click();
    await page.getByRole('menu').getByRole('menuitem', { name: item, exact: true }).click();
  }

  return {
    open,
    entry,
    optionsButton,
    choose,

    /** The titles in the list, top first (read from each entry's "Options for <title>" button). */
    async titles(): Promise<string[]> {
      const scope = await open();
      const names = await scope
        .getByRole('button', { name: /^Options for / })
        .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label') ?? button.textContent ?? ''));
      return names.map((name) => name.replace(/^Options for /, '').trim());
    },

    /** Opens the chat titled `title` from the list. */
    async select(title: string): Promise<void> {
      await entry(await open(), title).click();
    },

    async rename(title: string, newTitle: string): Promise<void> {
      await choose(title, 'Rename');
      const field = page.getByRole('textbox', { name: /title|name/i }).last();
      await field.fill(newTitle);
      await field.press('Enter');
    },

    /** Deletes through the menu, confirming when the app asks once more; resolves once the entry is gone. */
    async remove(title: string): Promise<void> {
      await choose(title, 'Delete');
      const scope = viewport === 'desktop' ? page : dialog;
      // The confirming step may take the entry's place in the list, so the options button going
      // away is no sign of a deletion: wait for the confirm button, or for the entry itself to go.
      const confirm = scope.getByRole('button', { name: /^(Delete|Yes)/ }).first();
      const gone = entry(scope, title).waitFor({ state: 'detached', timeout: 3_000 }).then(() => true, () => false);
      const asked = confirm.waitFor({ state: 'visible', timeout: 3_000 }).then(() => true, () => false);
      if (await Promise.race([asked, gone])) {
        if (await confirm.isVisible()) await confirm.click();
      }
      await entry(scope, title).waitFor({ state: 'detached' });
    },

    /** On a phone: closes the list with its "Close chats" button. */
    async close(): Promise<void> {
      if (viewport === 'phone' && (await dialog.isVisible())) {
        await dialog.getByRole('button', { name: 'Close chats', exact: true }).click();
        await dialog.waitFor({ state: 'hidden' });
      }
    },

    /** "New chat": in the sidebar on a laptop, in the top bar on a phone. */
    async newChat(): Promise<void> {
      await page.getByRole('button', { name: 'New chat', exact: true }).first().click();
    },
  };
}
