import 'server-only';
import type { SupabaseClient } from '@supabase/supabase-js';
import type {
  GeneratingReply,
  NewReplyRun,
  ReplyCheckpoint,
  ReplyRunSnapshot,
  ReplyRunState,
  ReplyRunStore,
  NewToolApproval,
  ToolApprovalState,
} from '../chat-store';
import { isUuid } from '../ids';
import { mapDatabaseError } from '../postgres/map-database-error';
import { parseApprovalState, parseGeneratingReplies, parseReplySnapshot, parseRunState, replyRunArgs } from '../postgres/reply-run-store';

/**
 * ReplyRunStore over PostgREST with the service client: the same migration functions the SQL
 * store calls, one rpc (one statement, one round trip) each.
 */
export class SupabaseReplyRunStore implements ReplyRunStore {
  constructor(private readonly service: SupabaseClient) {}

  private async rpc(context: string, name: string, args: Record<string, unknown>): Promise<unknown> {
    const { data, error } = await this.service.rpc(name, args);
    if (error) throw mapDatabaseError(error, context);
    return data;
  }

  async start(run: NewReplyRun): Promise<boolean> {
    return (await this.rpc('Starting the reply', 'ai_chat_reply_start', replyRunArgs.start(run))) === true;
  }

  async tick(checkpoints: readonly ReplyCheckpoint[], live: readonly string[]): Promise<string[]> {
    const data = await this.rpc('Checkpointing replies', 'ai_chat_reply_tick', replyRunArgs.tick(checkpoints, live));
    return idsOf(data);
  }

  async requestStop(userId: string, id: string): Promise<ReplyRunState | null> {
    if (!isUuid(id)) return null;
    return parseRunState(await this.rpc('Stopping the reply', 'ai_chat_reply_request_stop', replyRunArgs.requestStop(userId, id)));
  }

  async read(userId: string, id: string, afterSeq: number): Promise<ReplyRunSnapshot | null> {
    if (!isUuid(id)) return null;
    return parseReplySnapshot(await this.rpc('Reading the reply', 'ai_chat_reply_read', replyRunArgs.read(userId, id, afterSeq)));
  }

  async generating(userId: string, conversationId: string): Promise<GeneratingReply[]> {
    if (!isUuid(conversationId)) return [];
    const data = await this.rpc('Reading replies', 'ai_chat_reply_generating', replyRunArgs.generating(userId, conversationId));
    return parseGeneratingReplies(Array.isArray(data) ? data : []);
  }

  async sweep(staleSeconds: number, id?: string): Promise<string[]> {
    if (id !== undefined && !isUuid(id)) return [];
    const data = await this.rpc('Marking interrupted replies', 'ai_chat_reply_sweep', replyRunArgs.sweep(staleSeconds, id));
    return idsOf(data);
  }

  async requestApproval(approval: NewToolApproval): Promise<boolean> {
    return (await this.rpc('Asking for approval', 'ai_chat_tool_approval_request', replyRunArgs.requestApproval(approval))) === true;
  }

  async answerApproval(userId: string, replyId: string, id: string, approved: boolean): Promise<ToolApprovalState | null> {
    if (!isUuid(replyId) || !isUuid(id)) return null;
    const args = replyRunArgs.answerApproval(userId, replyId, id, approved);
    return parseApprovalState(await this.rpc('Answering the approval', 'ai_chat_tool_approval_answer', args));
  }

  async approvalState(id: string): Promise<ToolApprovalState | null> {
    return parseApprovalState(await this.rpc('Reading the approval', 'ai_chat_tool_approval_state', replyRunArgs.approvalState(id)));
  }

  async expireApproval(id: string): Promise<ToolApprovalState | null> {
    return parseApprovalState(await this.rpc('Closing the approval', 'ai_chat_tool_approval_expire', replyRunArgs.approvalState(id)));
  }
}

/** A `setof uuid` answer: scalars, or rows of one column, depending on the PostgREST version. */
function idsOf(data: unknown): string[] {
  if (!Array.isArray(data)) return [];
  return data.map((item: unknown) => String(item !== null && typeof item === 'object' ? Object.values(item)[0] : item));
}
