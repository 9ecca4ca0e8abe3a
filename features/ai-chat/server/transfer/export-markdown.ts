import 'server-only';
import { partsOf } from '../../protocol/parts';
import type { ConversationRecord, MessageRecord } from '../../protocol/records';

/**
 * The active branch as a document a person reads: the title, then one section per message with
 * its content verbatim. Only a code fence a cut-off reply left open is closed, so it cannot
 * swallow the rest of the document.
 */
export function conversationMarkdown(conversation: ConversationRecord, branch: readonly MessageRecord[]): string {
  const sections = [`# ${oneLine(conversation.title)}`];
  if (conversation.systemPrompt) sections.push(`**System prompt**\n\n${closeOpenFence(conversation.systemPrompt)}`);
  if (branch.length === 0) sections.push('_No messages yet._');
  for (const message of branch) {
    const note = replyNote(message);
    const body = [...beforeAnswer(message), closeOpenFence(message.content), ...afterAnswer(message)].filter(Boolean).join('\n\n') || '_(empty)_';
    sections.push([`**${speaker(message)}**`, body, ...(note ? [note] : [])].join('\n\n'));
  }
  return `${sections.join('\n\n---\n\n')}\n`;
}

function speaker(message: MessageRecord): string {
  switch (message.role) {
    case 'user':
      return 'You';
    case 'assistant':
      return message.model ? `Assistant (${oneLine(message.model)})` : 'Assistant';
    case 'system':
      return 'System';
    case 'tool':
      return 'Tool';
  }
}

/** The reasoning (folded, as the chat shows it) and the files, ahead of the text. */
function beforeAnswer(message: MessageRecord): string[] {
  const lines: string[] = [];
  for (const part of partsOf(message)) {
    if (part.type === 'reasoning' && part.text.trim() !== '') {
      lines.push(`<details><summary>Reasoning</summary>\n\n${closeOpenFence(part.text)}\n\n</details>`);
    } else if (part.type === 'file') {
      lines.push(`_Attached: ${oneLine(part.name)} (${part.mediaType})_`);
    }
  }
  return lines;
}

/** A refusal, said as one after whatever text came before it. */
function afterAnswer(message: MessageRecord): string[] {
  return partsOf(message)
    .filter((part) => part.type === 'refusal')
    .map((part) => `> _The model declined${part.text.trim() ? `: ${oneLine(part.text)}` : '.'}_`);
}

function replyNote(message: MessageRecord): string | null {
  if (message.status === 'partial') return '> _This reply was stopped before it finished._';
  if (message.status !== 'error') return null;
  const error = message.metadata.error;
  const reason =
    typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
      ? `: ${oneLine((error as { message: string }).message)}`
      : '.';
  return `> _This reply is incomplete: it ended with an error${reason}_`;
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** `content` with a closing fence appended when it ends inside a fenced code block. */
function closeOpenFence(content: string): string {
  let open: string | null = null;
  for (const line of content.split('\n')) {
    const match = FENCE.exec(line);
    if (!match) continue;
    const [, fence, rest] = match as unknown as [string, string, string];
    if (open === null) {
      // A backtick fence's info string may not contain backticks (CommonMark 4.5).
      if (!(fence[0] === '`' && rest.includes('`'))) open = fence;
    } else if (fence[0] === open[0] && fence.length >= open.length && rest.trim() === '') {
      open = null;
    }
  }
  if (open === null) return content;
  return `${content}${content.endsWith('\n') ? '' : '\n'}${open}`;
}
