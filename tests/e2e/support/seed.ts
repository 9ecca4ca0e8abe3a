/**
 * Conversations put in place through the app's own import route (the one a person's "Import
 * chat" uses), for journeys that start from a long chat rather than build one turn by turn.
 */

export interface SeedTurn {
  user: string;
  assistant: string;
}

export interface SeedOptions {
  title: string;
  turns: readonly SeedTurn[];
  provider?: 'openai' | 'anthropic';
  model?: string;
}

export interface SeededConversation {
  id: string;
  /** The title the server gave the copy (an import may mark it as one). */
  title: string;
}

/** The export file (format ai-chat.conversation v1) of a single-branch conversation. */
export function exportFile({ title, turns, provider = 'openai', model = 'gpt-5-mini' }: SeedOptions) {
  const start = Date.now() - turns.length * 2 * 1_000;
  const messages = turns.flatMap((turn, index) => {
    const at = (offset: number) => new Date(start + (index * 2 + offset) * 1_000).toISOString();
    return [
      { id: `u${index}`, parentId: index === 0 ? null : `a${index - 1}`, role: 'user', content: turn.user, createdAt: at(0) },
      { id: `a${index}`, parentId: `u${index}`, role: 'assistant', content: turn.assistant, provider, model, createdAt: at(1) },
    ];
  });
  const now = new Date().toISOString();
  return {
    format: 'ai-chat.conversation',
    version: 1,
    exportedAt: now,
    conversation: {
      title,
      provider,
      model,
      createdAt: new Date(start).toISOString(),
      updatedAt: now,
      activeLeafId: turns.length === 0 ? null : `a${turns.length - 1}`,
    },
    messages,
  };
}

/** Imports a conversation as the app's (only, embedded) user and answers its id and title. */
export async function seedConversation(baseUrl: string, options: SeedOptions): Promise<SeededConversation> {
  const response = await fetch(`${baseUrl}/api/chat/conversations/import`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(exportFile(options)),
  });
  if (response.status !== 201) throw new Error(`import answered ${response.status}: ${await response.text()}`);
  const detail = (await response.json()) as { conversation: { id: string; title: string } };
  return { id: detail.conversation.id, title: detail.conversation.title };
}

/** `count` numbered question-and-answer turns, each answer a few lines long. */
export function numberedTurns(count: number, tag: string): SeedTurn[] {
  return Array.from({ length: count }, (_, index) => ({
    user: `${tag} question ${index + 1}`,
    assistant: `${tag} answer ${index + 1}.\n\nA second paragraph, so each reply takes some room on the screen.\n\n- one point\n- another point`,
  }));
}
