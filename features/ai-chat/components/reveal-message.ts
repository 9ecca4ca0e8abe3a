/**
 * Scrolls a message of the open chat into view, focuses it and marks it for a moment, waiting
 * (up to `timeoutMs`) for its row to render: a search result opened in a chat still loading.
 * Rows carry `data-message-id`. Resolves whether it was found.
 */
export function revealMessage(messageId: string, { timeoutMs = 5_000, root }: { timeoutMs?: number; root?: ParentNode } = {}): Promise<boolean> {
  const scope = root ?? document;
  const find = () => scope.querySelector<HTMLElement>(`[data-message-id="${CSS.escape(messageId)}"]`);
  const show = (row: HTMLElement) => {
    row.scrollIntoView({ block: 'center' });
    if (!row.hasAttribute('tabindex')) row.setAttribute('tabindex', '-1');
    row.focus({ preventScroll: true });
    row.dataset.revealed = 'true';
    setTimeout(() => delete row.dataset.revealed, 2_000);
  };
  const now = find();
  if (now) {
    show(now);
    return Promise.resolve(true);
  }
  return new Promise((resolve) => {
    const observer = new MutationObserver(() => {
      const row = find();
      if (!row) return;
      observer.disconnect();
      clearTimeout(timer);
      show(row);
      resolve(true);
    });
    const timer = setTimeout(() => {
      observer.disconnect();
      resolve(false);
    }, timeoutMs);
    observer.observe(document.body, { childList: true, subtree: true });
  });
}
