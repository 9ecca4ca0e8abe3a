import { z } from 'zod';
import { withoutNul } from './chat-request';

/** Thumbs up or down on an assistant reply, with an optional short comment. */

export const MAX_FEEDBACK_COMMENT_CHARS = 1000;

export const feedbackRatingSchema = z.enum(['up', 'down']);
export type FeedbackRating = z.infer<typeof feedbackRatingSchema>;

/** `POST /api/chat/messages/:id/feedback`: rating null clears it. */
export const feedbackBodySchema = z
  .object({
    rating: feedbackRatingSchema.nullable(),
    comment: withoutNul(z.string().trim().max(MAX_FEEDBACK_COMMENT_CHARS)).nullable().optional(),
  })
  .strict();
export type FeedbackBody = z.infer<typeof feedbackBodySchema>;

/** A reply's feedback; `rating` null when it was cleared. */
export const messageFeedbackSchema = z.object({
  messageId: z.string(),
  conversationId: z.string(),
  rating: feedbackRatingSchema.nullable(),
  comment: z.string().nullable(),
  updatedAt: z.string(),
});
export type MessageFeedback = z.infer<typeof messageFeedbackSchema>;

/** What a handler's `onFeedback` hears: a user rated (or, rating null, un-rated) one of their replies. */
export interface FeedbackReport {
  userId: string;
  conversationId: string;
  messageId: string;
  rating: FeedbackRating | null;
  comment: string | null;
}

/** `POST /api/chat/messages/:id/feedback` → `{ feedback }`; `GET /api/chat/conversations/:id/feedback` → `{ feedback: [...] }`. */
export const feedbackSavedSchema = z.object({ feedback: messageFeedbackSchema });
export const conversationFeedbackSchema = z.object({ feedback: z.array(messageFeedbackSchema) });
