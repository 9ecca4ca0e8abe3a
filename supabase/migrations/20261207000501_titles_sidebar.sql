-- =============================================================================================
-- Titles written by a model, pins and the archive (issue 20, points 1 and 3)
-- =============================================================================================

-- Where a conversation's title came from: its first message (the server's first guess), a model
-- (after the first reply), the person (a rename), or an import. A model title replaces only a
-- first-message one, so a rename or an imported title is never overwritten.
alter table public.ai_chat_conversations
  add column title_source text not null default 'first-message'
    check (title_source in ('first-message', 'model', 'user', 'import')),
  -- Pinned chats head the list; archived ones leave it for the Archived view. Null: neither.
  add column pinned_at timestamptz,
  add column archived_at timestamptz;

-- The list's two views: the chats on show (pinned first, then by last message) and the archive.
create index ai_chat_conversations_user_shown_idx
  on public.ai_chat_conversations (user_id, last_message_at desc, id desc) where archived_at is null;
create index ai_chat_conversations_user_archived_idx
  on public.ai_chat_conversations (user_id, last_message_at desc, id desc) where archived_at is not null;

-- A user pins and archives their own chats (the owner-updates policy already scopes the row).
grant update (pinned_at, archived_at) on public.ai_chat_conversations to authenticated;

-- Any change of the title that does not also name its source is a person's rename: whoever
-- writes it (the user's own grant, which cannot write title_source, or a server function), it is
-- marked 'user' and no model title replaces it afterwards.
create function public.ai_chat_mark_renamed() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if new.title is distinct from old.title and new.title_source is not distinct from old.title_source then
    new.title_source := 'user';
  end if;
  return new;
end
$$;
comment on function public.ai_chat_mark_renamed is
  'Trigger: a title changed without naming its source is a rename (title_source ''user'').';

create trigger ai_chat_conversations_mark_renamed
  before update of title on public.ai_chat_conversations
  for each row execute function public.ai_chat_mark_renamed();

-- Sets a model-written title on p_user_id's conversation, only while its title is still the one
-- made from the first message: a rename (or an import) that happened first, even a moment
-- before, wins. True when the title was written.
create function public.ai_chat_set_model_title(
  p_user_id uuid,
  p_conversation_id uuid,
  p_title text
) returns boolean
language sql
security invoker
set search_path = ''
as $$
  with updated as (
    update public.ai_chat_conversations c
       set title = p_title, title_source = 'model'
     where c.id = p_conversation_id and c.user_id = p_user_id and c.title_source = 'first-message'
    returning 1
  )
  select exists (select 1 from updated)
$$;
comment on function public.ai_chat_set_model_title is
  'Server only: writes a model''s title on p_user_id''s conversation unless it was renamed or imported.';

-- Marks p_user_id's conversation as imported: its title stays as it came.
create function public.ai_chat_mark_imported(
  p_user_id uuid,
  p_conversation_id uuid
) returns void
language sql
security invoker
set search_path = ''
as $$
  update public.ai_chat_conversations c
     set title_source = 'import'
   where c.id = p_conversation_id and c.user_id = p_user_id
$$;
comment on function public.ai_chat_mark_imported is
  'Server only: marks p_user_id''s conversation as imported (its title is never replaced by a model''s).';

revoke execute on function
  public.ai_chat_mark_renamed(),
  public.ai_chat_set_model_title(uuid, uuid, text),
  public.ai_chat_mark_imported(uuid, uuid)
  from public, anon, authenticated;
grant execute on function
  public.ai_chat_set_model_title(uuid, uuid, text),
  public.ai_chat_mark_imported(uuid, uuid)
  to service_role;

-- =============================================================================================
-- Continue: a reply cut by its length limit or stopped goes on in the same message (point 8)
-- =============================================================================================

-- Replaces an assistant reply of p_user_id's with itself carried on: the server joined the new
-- text and parts to the old and summed the cost, so this only writes them, and moves the list's
-- "last message" time. No row when the message is not that user's reply.
create function public.ai_chat_continue_message(
  p_user_id uuid,
  p_message_id uuid,
  p_content text,
  p_parts jsonb,
  p_status text,
  p_tokens integer,
  p_cost numeric,
  p_metadata jsonb
) returns setof public.ai_chat_messages
language plpgsql
security invoker
set search_path = ''
as $$
declare
  continued public.ai_chat_messages;
begin
  update public.ai_chat_messages m
     set content = p_content, parts = nullif(p_parts, 'null'::jsonb), status = p_status, tokens = p_tokens,
         cost = p_cost, metadata = coalesce(p_metadata, '{}'::jsonb)
    from public.ai_chat_conversations c
   where m.id = p_message_id and m.role = 'assistant' and c.id = m.conversation_id and c.user_id = p_user_id
  returning m.* into continued;
  if continued.id is null then
    return;
  end if;
  update public.ai_chat_conversations c set last_message_at = now() where c.id = continued.conversation_id;
  return next continued;
end
$$;
comment on function public.ai_chat_continue_message is
  'Server only: writes p_user_id''s assistant reply as carried on (Continue); no row when it is not theirs.';

revoke execute on function
  public.ai_chat_continue_message(uuid, uuid, text, jsonb, text, integer, numeric, jsonb)
  from public, anon, authenticated;
grant execute on function
  public.ai_chat_continue_message(uuid, uuid, text, jsonb, text, integer, numeric, jsonb)
  to service_role;
