import 'server-only';
import type { z } from 'zod';
import { CONVERSATION_EXPORT_FORMAT, CONVERSATION_EXPORT_VERSION } from '../../protocol/export';

/**
 * What is wrong with an import file, in words a person who picked the wrong file can act on, not
 * the validator's ("exportedAt: Invalid input: expected string, received undefined"). The first
 * problem only: one fix at a time.
 */
export function describeImportProblem(issue: z.core.$ZodIssue, raw: unknown): string {
  const [head] = issue.path;
  const document = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : null;
  if (!document || head === 'format' || document.format !== CONVERSATION_EXPORT_FORMAT) {
    return 'This file is not a conversation exported from this app. Choose a .json file made with Export.';
  }
  if (head === 'version') {
    return `This export is of another version (${String(document.version)}); this app reads version ${CONVERSATION_EXPORT_VERSION}. Export it again from an up-to-date app.`;
  }
  return `This export is damaged: ${whereIn(issue.path)} ${whatIsWrong(issue)}. Export the conversation again, or fix the file.`;
}

/** `messages.3.createdAt` → "message 4's time". */
function whereIn(path: readonly PropertyKey[]): string {
  const [head, index, field] = path;
  if (head === 'messages' && typeof index === 'number') {
    return field === undefined ? `message ${index + 1}` : `message ${index + 1}'s ${FIELD_WORDS[String(field)] ?? String(field)}`;
  }
  if (head === 'messages') return 'the list of messages';
  if (head === 'conversation') return `the conversation's ${FIELD_WORDS[String(index)] ?? String(index ?? 'details')}`;
  return FIELD_WORDS[String(head)] ?? String(head ?? 'the file');
}

const FIELD_WORDS: Record<string, string> = {
  exportedAt: 'the export time',
  createdAt: 'time',
  updatedAt: 'last change time',
  parentId: 'link to the message before it',
  activeLeafId: 'branch on show',
  id: 'id',
  title: 'title',
  content: 'text',
  tokens: 'token count',
  cost: 'cost',
  role: 'author (user, assistant, system or tool)',
  parts: 'parts',
};

function whatIsWrong(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') return issue.input === undefined ? 'is missing' : `should be ${article(issue.expected)}`;
  if (issue.code === 'invalid_value') return 'is not one of the values allowed';
  if (issue.code === 'invalid_format') return 'is not in the right format';
  if (issue.code === 'too_big') return 'is too long';
  if (issue.code === 'too_small') return 'is empty or too short';
  // Our own refinements already speak in words ("names no message in this file").
  return issue.message;
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'an object';
  if (expected === 'int' || expected === 'number') return 'a number';
  return `a ${expected}`;
}
