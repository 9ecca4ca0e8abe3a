-- ai-chat: a message is an ordered list of parts (text, reasoning, file, tool call, tool result,
-- refusal). `content` keeps the plain text of the text parts, for export, search and code that
-- predates parts; a message without parts (saved before this migration) reads as its content.
--
-- Like every message column, parts are written only by the server's functions below.

alter table public.messages
  add column parts jsonb
  constraint messages_parts_is_array check (parts is null or jsonb_typeof(parts) = 'array');

-- The two message writers gain the parts. Dropped and created (not replaced) because the
-- appender's signature changes; execute rights are handed out again at the end.
drop function public.ai_chat_append_message(uuid, uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid);

create function public.ai_chat_append_message(
  p_user_id uuid,
  p_conversation_id uuid,
  p_parent_id uuid,
  p_role text,
  p_content text,
  p_status text default 'complete',
  p_provider text default null,
  p_model text default null,
  p_tokens integer default null,
  p_cost numeric default null,
  p_tool_calls jsonb default null,
  p_tool_results jsonb default null,
  p_metadata jsonb default '{}'::jsonb,
  p_id uuid default null,
  p_parts jsonb default null
) returns public.messages
language plpgsql
security invoker
set search_path = ''
as $$
declare
  inserted public.messages;
begin
  perform 1 from public.conversations c where c.id = p_conversation_id and c.user_id = p_user_id;
  if not found then
    raise exception 'conversation % is not this user''s', p_conversation_id using errcode = '42501';
  end if;

  insert into public.messages (
    id, conversation_id, parent_id, role, content, status, provider, model, tokens, cost,
    tool_calls, tool_results, metadata, parts
  ) values (
    coalesce(p_id, gen_random_uuid()), p_conversation_id, p_parent_id, p_role, p_content,
    coalesce(p_status, 'complete'), p_provider, p_model, p_tokens, p_cost, p_tool_calls, p_tool_results,
    coalesce(p_metadata, '{}'::jsonb), nullif(p_parts, 'null'::jsonb)
  )
  returning * into inserted;

  update public.conversations
     set active_leaf_id = inserted.id, last_message_at = inserted.created_at
   where id = p_conversation_id;

  return inserted;
end
$$;

-- Imports a whole conversation for p_user_id in one call: the conversation (p_conversation:
-- title, system_prompt, summary, provider, model) and its messages (p_messages, in write order;
-- each names its parent by its index in the array, which must be smaller than its own), with ids
-- from the database. p_active_index is the index of the message to show (null: none). Returns
-- the new conversation's id. All or nothing: it is one statement's transaction.
create or replace function public.ai_chat_import_conversation(
  p_user_id uuid,
  p_conversation jsonb,
  p_messages jsonb,
  p_active_index integer default null
) returns uuid
language plpgsql
security invoker
set search_path = ''
as $$
declare
  new_conversation uuid := gen_random_uuid();
  message_count integer := jsonb_array_length(p_messages);
  -- One base time, one microsecond apart: the imported tree sorts in write order.
  base_time timestamptz := clock_timestamp();
  bad_index integer;
begin
  if message_count > 5000 then
    raise exception 'an import holds at most 5000 messages, not %', message_count using errcode = '22023';
  end if;
  select ord - 1 into bad_index
    from jsonb_array_elements(p_messages) with ordinality as t(m, ord)
   where (m ->> 'parent') is not null and not ((m ->> 'parent')::integer between 0 and ord - 2)
   limit 1;
  if bad_index is not null then
    raise exception 'message % names a parent written after it', bad_index using errcode = '22023';
  end if;

  insert into public.conversations (id, user_id, title, system_prompt, summary, provider, model, last_message_at)
  values (
    new_conversation, p_user_id, p_conversation ->> 'title', p_conversation ->> 'system_prompt',
    p_conversation ->> 'summary', p_conversation ->> 'provider', p_conversation ->> 'model',
    base_time + greatest(message_count - 1, 0) * interval '1 microsecond'
  );

  -- Foreign keys are checked at the end of the statement, so a parent and its children may
  -- arrive in the same insert.
  with numbered as materialized (
    select (ord - 1)::integer as idx, m, gen_random_uuid() as id
      from jsonb_array_elements(p_messages) with ordinality as t(m, ord)
  )
  insert into public.messages (
    id, conversation_id, parent_id, role, content, status, provider, model, tokens, cost,
    tool_calls, tool_results, metadata, parts, created_at
  )
  select n.id, new_conversation, p.id, n.m ->> 'role', coalesce(n.m ->> 'content', ''),
         coalesce(n.m ->> 'status', 'complete'), n.m ->> 'provider', n.m ->> 'model',
         (n.m ->> 'tokens')::integer, (n.m ->> 'cost')::numeric,
         nullif(n.m -> 'tool_calls', 'null'::jsonb), nullif(n.m -> 'tool_results', 'null'::jsonb),
         coalesce(nullif(n.m -> 'metadata', 'null'::jsonb), '{}'::jsonb),
         nullif(n.m -> 'parts', 'null'::jsonb),
         base_time + n.idx * interval '1 microsecond'
    from numbered n
    left join numbered p on p.idx = (n.m ->> 'parent')::integer;

  if p_active_index is not null then
    update public.conversations
       set active_leaf_id = public.ai_chat_newest_leaf(
             new_conversation,
             (select m.id from public.messages m
               where m.conversation_id = new_conversation
                 and m.created_at = base_time + p_active_index * interval '1 microsecond'))
     where id = new_conversation;
  end if;
  return new_conversation;
end
$$;

-- The branch walk returns whole rows; `m.*` follows the table, so the next column needs no new walk.
create or replace function public.ai_chat_branch(p_conversation_id uuid, p_leaf_id uuid default null)
returns setof public.messages
language sql
stable
security invoker
set search_path = ''
as $$
  -- The conversation id travels with each row so every step is one lookup in the unique
  -- (conversation_id, id) index, however stale the planner's statistics are after an import.
  with recursive chain (conversation_id, id, parent_id) as (
    select m.conversation_id, m.id, m.parent_id
      from public.messages m
      join public.conversations c on c.id = m.conversation_id
     where c.id = p_conversation_id
       and m.id = coalesce(p_leaf_id, c.active_leaf_id)
    union
    select m.conversation_id, m.id, m.parent_id
      from chain b
      join public.messages m on m.conversation_id = b.conversation_id and m.id = b.parent_id
  )
  select m.*
    from chain
    join public.messages m on m.conversation_id = chain.conversation_id and m.id = chain.id
   order by m.created_at, m.id
$$;

revoke execute on function
  public.ai_chat_append_message(uuid, uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid, jsonb),
  public.ai_chat_import_conversation(uuid, jsonb, jsonb, integer)
  from public, anon, authenticated;
grant execute on function
  public.ai_chat_append_message(uuid, uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid, jsonb),
  public.ai_chat_import_conversation(uuid, jsonb, jsonb, integer)
  to service_role;
