-- Text files (issue 21): plain text, Markdown, CSV, JSON and source code, checked by the server
-- as UTF-8 and stored as text/plain (the file's name says which kind). Everything else about an
-- attachment is unchanged.

alter table public.ai_chat_attachments drop constraint ai_chat_attachments_media_type_check;
alter table public.ai_chat_attachments add constraint ai_chat_attachments_media_type_check
  check (media_type in ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'));

-- Storage checks the type again on Supabase: the bucket takes text too.
update storage.buckets
   set allowed_mime_types = array['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']
 where id = 'ai-chat-attachments';

-- Imports keep each message's own time (issue 21): p_messages[i].created_at when given, never
-- later than now (a file cannot date a message in the future), else the import's clock; rising
-- in write order, at least one microsecond apart. Ids are drawn first, so the shown leaf is found by index,
-- whatever the times. The conversation sorts by when it was imported (it is the newest thing the
-- person did), its messages by when they were said.
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
  base_time timestamptz := clock_timestamp();
  ids uuid[];
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
  ids := array(select gen_random_uuid() from generate_series(1, message_count));

  insert into public.ai_chat_conversations (id, user_id, title, system_prompt, summary, provider, model, last_message_at)
  values (
    new_conversation, p_user_id, p_conversation ->> 'title', p_conversation ->> 'system_prompt',
    p_conversation ->> 'summary', p_conversation ->> 'provider', p_conversation ->> 'model',
    base_time + greatest(message_count - 1, 0) * interval '1 microsecond'
  );

  -- Foreign keys are checked at the end of the statement, so a parent and its children may
  -- arrive in the same insert.
  -- A branch reads in time order, so times must rise in write order (parents first): each
  -- message keeps its own time unless an earlier-written one is as late or later (equal times,
  -- clocks that disagree), and then comes one microsecond after it.
  with said as (
    select ord, m,
           -- least() skips nulls, so a missing time is handled apart.
           case when m ->> 'created_at' is null then base_time
                else least((m ->> 'created_at')::timestamptz, base_time) end as at
      from jsonb_array_elements(p_messages) with ordinality as t(m, ord)
  ), timed as (
    select ord, m,
           max(at - ord * interval '1 microsecond') over (order by ord rows between unbounded preceding and current row)
             + ord * interval '1 microsecond' as at
      from said
  )
  insert into public.ai_chat_messages (
    id, conversation_id, parent_id, role, content, status, provider, model, tokens, cost,
    tool_calls, tool_results, metadata, parts, created_at
  )
  select ids[ord], new_conversation, ids[(m ->> 'parent')::integer + 1], m ->> 'role', coalesce(m ->> 'content', ''),
         coalesce(m ->> 'status', 'complete'), m ->> 'provider', m ->> 'model',
         (m ->> 'tokens')::integer, (m ->> 'cost')::numeric,
         nullif(m -> 'tool_calls', 'null'::jsonb), nullif(m -> 'tool_results', 'null'::jsonb),
         coalesce(nullif(m -> 'metadata', 'null'::jsonb), '{}'::jsonb),
         nullif(m -> 'parts', 'null'::jsonb),
         at
    from timed;

  if p_active_index is not null then
    update public.ai_chat_conversations
       set active_leaf_id = public.ai_chat_newest_leaf(new_conversation, ids[p_active_index + 1])
     where id = new_conversation;
  end if;
  return new_conversation;
end
$$;
comment on function public.ai_chat_import_conversation is
  'Server only: imports a whole conversation for p_user_id in one statement, all or nothing, keeping each message''s own time.';
