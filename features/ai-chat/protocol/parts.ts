import { z } from 'zod';
import { providerNameSchema } from './provider-names';

/**
 * A message is an ordered list of parts. `content` (the plain text of the text parts) stays on
 * every message for export, search and code that predates parts; `parts` says what the message
 * is. A message saved before parts existed has none: read it as one text part of its content.
 */

/** `text/plain` is any UTF-8 text (Markdown, CSV, JSON, source code): its name says which. */
export const ATTACHMENT_MEDIA_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'] as const;
export const attachmentMediaTypeSchema = z.enum(ATTACHMENT_MEDIA_TYPES);
export type AttachmentMediaType = z.infer<typeof attachmentMediaTypeSchema>;

export const textPartSchema = z.object({ type: z.literal('text'), text: z.string() });

/**
 * What the model thought before answering, shown apart from the answer. The provider-private
 * fields (a Claude thinking signature or redacted block, an OpenAI encrypted reasoning item) are
 * kept exactly and sent back only to the provider that wrote them, within the turn's tool loop.
 */
export const reasoningPartSchema = z.object({
  type: z.literal('reasoning'),
  /** The summarised thinking as shown; empty for a redacted block. */
  text: z.string(),
  provider: providerNameSchema,
  /** Anthropic `thinking.signature`. */
  signature: z.string().optional(),
  /** Anthropic `redacted_thinking.data`: encrypted thinking, never shown. */
  redactedData: z.string().optional(),
  /** OpenAI Responses reasoning item id and its `encrypted_content`. */
  itemId: z.string().optional(),
  encryptedContent: z.string().optional(),
  /** How long the model thought, measured by the server from the first reasoning event to the answer. */
  durationMs: z.number().int().nonnegative().optional(),
});

/** An attachment of a user message. Bytes live in storage; this names them. */
export const filePartSchema = z.object({
  type: z.literal('file'),
  attachmentId: z.uuid(),
  mediaType: attachmentMediaTypeSchema,
  name: z.string(),
  size: z.number().int().nonnegative(),
});

/** A tool call's approval: asked (`requested`), then answered or run out (`approved` / `denied`). */
export const toolApprovalSchema = z.object({
  id: z.string(),
  state: z.enum(['requested', 'approved', 'denied']),
  /** Why a call was denied: the person declined, nobody answered in time, the reply stopped. */
  reason: z.enum(['declined', 'timeout', 'stopped']).optional(),
  expiresAt: z.string().optional(),
});
export type ToolApproval = z.infer<typeof toolApprovalSchema>;

export const toolCallPartSchema = z.object({
  type: z.literal('tool-call'),
  id: z.string(),
  name: z.string(),
  args: z.unknown(),
  approval: toolApprovalSchema.optional(),
});
export const toolResultPartSchema = z.object({ type: z.literal('tool-result'), id: z.string(), result: z.unknown() });
/** The model declined: an OpenAI `refusal`, or Claude's `stop_reason: refusal` with what it wrote. */
export const refusalPartSchema = z.object({ type: z.literal('refusal'), text: z.string() });

export const messagePartSchema = z.discriminatedUnion('type', [
  textPartSchema,
  reasoningPartSchema,
  filePartSchema,
  toolCallPartSchema,
  toolResultPartSchema,
  refusalPartSchema,
]);
export type MessagePart = z.infer<typeof messagePartSchema>;
export type TextPart = z.infer<typeof textPartSchema>;
export type ReasoningPart = z.infer<typeof reasoningPartSchema>;
export type FilePart = z.infer<typeof filePartSchema>;
export type ToolCallPart = z.infer<typeof toolCallPartSchema>;
export type ToolResultPart = z.infer<typeof toolResultPartSchema>;
export type RefusalPart = z.infer<typeof refusalPartSchema>;

/** The file part an uploaded attachment becomes in the user's message (server and client alike). */
export function filePartOf(record: { id: string; mediaType: AttachmentMediaType; name: string; size: number }): FilePart {
  return { type: 'file', attachmentId: record.id, mediaType: record.mediaType, name: record.name, size: record.size };
}

/** The most parts one message may hold (a long tool loop stays far below it). */
export const MAX_PARTS_PER_MESSAGE = 500;
export const messagePartsSchema = z.array(messagePartSchema).max(MAX_PARTS_PER_MESSAGE);

/** The parts of a message, for one saved before parts existed too. */
export function partsOf(message: { content: string; parts?: readonly MessagePart[] | null }): readonly MessagePart[] {
  if (message.parts && message.parts.length > 0) return message.parts;
  return message.content === '' ? [] : [{ type: 'text', text: message.content }];
}

/** The plain text a message's parts add up to: what `content` holds. */
export function textOfParts(parts: readonly MessagePart[]): string {
  let text = '';
  for (const part of parts) if (part.type === 'text') text += part.text;
  return text;
}

/**
 * A reasoning part without what only its provider can check (signature, redacted data,
 * encrypted content): what an import keeps, so a file can never smuggle those to a provider.
 */
export function withoutProviderSecrets(part: MessagePart): MessagePart {
  if (part.type !== 'reasoning') return part;
  return {
    type: 'reasoning',
    text: part.text,
    provider: part.provider,
    ...(part.durationMs === undefined ? {} : { durationMs: part.durationMs }),
  };
}
