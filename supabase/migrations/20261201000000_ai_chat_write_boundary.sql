-- ai-chat: a user writes only what the UI lets them write.
--
-- Until now a signed-in user could insert messages (with any token count, any id, even one that
-- is its own parent), call ai_chat_append_message with any p_tokens, and update every column of
-- their conversations (system prompt, summary). Context fitting and the usage reservation trust
-- stored counts, and the system prompt and summary reach the model as system text, so all of that
-- is the server's to write. After this migration:
--
--   * `authenticated` reads its own conversations, messages, usage and cached replies (RLS, as
--     before); creates a conversation with only what a new chat sets (title, provider, model);
--     updates only its title and the branch on show (active_leaf_id); deletes its conversations.
--   * Messages, system prompts, summaries, provider/model changes, imports and the reply cache are
--     written by the server only (`service_role`) through the functions below. Each takes the
--     acting user's id, which the server took from its verified session, and checks inside the
--     function that the conversation is that user's.
--   * No function a user may execute takes a user id; the user's functions run under RLS.

-- ---------------------------------------------------------------------------------------------
-- Schema
-- ---------------------------------------------------------------------------------------------

-- The list orders by the time of the last message, so renaming a chat does not move it.
alter table public.conversations add column last_message_at timestamptz;
update public.conversations c
   set last_message_at = coalesce((select max(m.created_at) from public.messages m where m.conversation_id = c.id), c.created_at);
alter table public.conversations alter column last_message_at set default now();
alter table public.conversations alter column last_message_at set not null;

drop index if exists public.conversations_user_recent_idx;
create index conversations_user_last_message_idx on public.conversations (user_id, last_message_at desc, id desc);

-- A message that is its own parent made the recursive branch queries run forever. Rows written
-- before this migration that did so become roots; from now on the database refuses them.
update public.messages set parent_id = null where parent_id = id;
alter table public.messages add constraint messages_not_own_parent check (parent_id <> id);

-- The bounded sweep of expired cached replies reads them oldest first.
create index ai_response_cache_expiry_idx on public.ai_response_cache (expires_at);

-- ---------------------------------------------------------------------------------------------
-- Grants: column by column, only what the UI writes
-- ---------------------------------------------------------------------------------------------

revoke insert, update on public.conversations from authenticated;
-- A user starts a chat with a title, a provider and a model; the id, the owner (auth.uid()) and
-- every timestamp are the database's.
grant insert (title, provider, model) on public.conversations to authenticated;
-- A user renames a chat and flips between its branches. Nothing else.
grant update (title, active_leaf_id) on public.conversations to authenticated;

-- Messages are the server's to write: a user may read them, nothing more.
revoke insert, update, delete, truncate on public.messages from authenticated;
drop policy "messages: conversation owner appends" on public.messages;
drop policy "messages: conversation owner deletes" on public.messages;

-- Cached replies are the server's too: a planted entry would be served as an assistant reply.
revoke insert, update, delete, truncate on public.ai_response_cache from authenticated;
drop policy "ai_response_cache: owner writes" on public.ai_response_cache;
drop policy "ai_response_cache: owner deletes" on public.ai_response_cache;

-- ---------------------------------------------------------------------------------------------
-- Server-only writes (service_role bypasses RLS, so each function checks ownership itself)
-- ---------------------------------------------------------------------------------------------

-- The user version took any p_tokens from any caller; replaced by the server version below.
drop function public.ai_chat_append_message(uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid);

-- Creates a conversation for p_user_id. p_id lets the server announce the id before the write.
create function public.ai_chat_create_conversation(
  p_user_id uuid,
  p_provider text,
  p_model text,
  p_title text default null,
  p_system_prompt text default null,
  p_id uuid default null
) returns setof public.conversations
language sql
security invoker
set search_path = ''
as $$
  insert into public.conversations (id, user_id, title, system_prompt, provider, model)
  values (coalesce(p_id, gen_random_uuid()), p_user_id, coalesce(p_title, 'New chat'), p_system_prompt, p_provider, p_model)
  returning *
$$;

-- Sets the server-owned columns of p_user_id's conversation: each key present in p_changes
-- (system_prompt, summary, summary_through_message_id, provider, model, title) is written, a key
-- left out is kept. No row when the conversation is not that user's.
create function public.ai_chat_update_conversation(
  p_user_id uuid,
  p_conversation_id uuid,
  p_changes jsonb
) returns setof public.conversations
language sql
security invoker
set search_path = ''
as $$
  update public.conversations c
     set title = case when p_changes ? 'title' then p_changes ->> 'title' else c.title end,
         system_prompt = case when p_changes ? 'system_prompt' then p_changes ->> 'system_prompt' else c.system_prompt end,
         summary = case when p_changes ? 'summary' then p_changes ->> 'summary' else c.summary end,
         summary_through_message_id = case
           when p_changes ? 'summary_through_message_id' then (p_changes ->> 'summary_through_message_id')::uuid
           else c.summary_through_message_id end,
         provider = case when p_changes ? 'provider' then p_changes ->> 'provider' else c.provider end,
         model = case when p_changes ? 'model' then p_changes ->> 'model' else c.model end
   where c.id = p_conversation_id and c.user_id = p_user_id
  returning c.*
$$;

-- Appends a message to p_user_id's conversation and makes it the active leaf and the list's
-- "last message" time, atomically. The token count is the server's own (it counted the text).
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
  p_id uuid default null
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
    tool_calls, tool_results, metadata
  ) values (
    coalesce(p_id, gen_random_uuid()), p_conversation_id, p_parent_id, p_role, p_content,
    coalesce(p_status, 'complete'), p_provider, p_model, p_tokens, p_cost, p_tool_calls, p_tool_results,
    coalesce(p_metadata, '{}'::jsonb)
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
create function public.ai_chat_import_conversation(
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
    tool_calls, tool_results, metadata, created_at
  )
  select n.id, new_conversation, p.id, n.m ->> 'role', coalesce(n.m ->> 'content', ''),
         coalesce(n.m ->> 'status', 'complete'), n.m ->> 'provider', n.m ->> 'model',
         (n.m ->> 'tokens')::integer, (n.m ->> 'cost')::numeric,
         nullif(n.m -> 'tool_calls', 'null'::jsonb), nullif(n.m -> 'tool_results', 'null'::jsonb),
         coalesce(nullif(n.m -> 'metadata', 'null'::jsonb), '{}'::jsonb),
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

-- ---------------------------------------------------------------------------------------------
-- Branch walks: bounded, whatever the data
-- ---------------------------------------------------------------------------------------------

-- The check constraint and server-chosen ids keep cycles out of the tree; these walks end even
-- if one ever gets in (a row written before this migration): each walks ids with `union`, not
-- `union all`, which drops a row met twice, so a cycle ends after one lap instead of never.

-- The messages of a branch, root first: the one ending at p_leaf_id, or the active one when
-- p_leaf_id is null. A parent is always older than its children (the database stamps each
-- write), so creation order is branch order. Runs as the caller, so RLS decides.
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
  select m.id, m.conversation_id, m.parent_id, m.role, m.content, m.status, m.provider, m.model,
         m.tokens, m.cost, m.tool_calls, m.tool_results, m.metadata, m.created_at
    from chain
    join public.messages m on m.conversation_id = chain.conversation_id and m.id = chain.id
   order by m.created_at, m.id
$$;

-- The newest leaf under p_message_id in p_conversation_id; null when there is none. The newest
-- message of a subtree is always a leaf: children are younger.
create function public.ai_chat_newest_leaf(p_conversation_id uuid, p_message_id uuid)
returns uuid
language sql
stable
security invoker
set search_path = ''
as $$
  with recursive subtree (conversation_id, id, created_at) as (
    select m.conversation_id, m.id, m.created_at
      from public.messages m
     where m.conversation_id = p_conversation_id and m.id = p_message_id
    union
    select m.conversation_id, m.id, m.created_at
      from subtree s
      join public.messages m on m.conversation_id = s.conversation_id and m.parent_id = s.id
  )
  select id from subtree order by created_at desc, id desc limit 1
$$;

-- Makes the newest leaf under p_message_id the active one (flipping to a sibling branch shows
-- that branch as it was last left) and returns that leaf's id; null when the message is not
-- the caller's. Runs as the caller: RLS and the active_leaf_id column grant decide.
create or replace function public.ai_chat_switch_branch(p_conversation_id uuid, p_message_id uuid)
returns uuid
language plpgsql
security invoker
set search_path = ''
as $$
declare
  leaf uuid := public.ai_chat_newest_leaf(p_conversation_id, p_message_id);
begin
  if leaf is null then
    return null;
  end if;
  update public.conversations set active_leaf_id = leaf where id = p_conversation_id;
  if not found then
    return null;
  end if;
  return leaf;
end
$$;

-- ---------------------------------------------------------------------------------------------
-- The reply cache: the server reads, refills and sweeps it
-- ---------------------------------------------------------------------------------------------

-- p_user_id's live cached reply under p_key; an expired one is deleted on the way.
create function public.ai_chat_read_cached_reply(p_user_id uuid, p_key text)
returns table (provider text, model text, content text)
language plpgsql
security invoker
set search_path = ''
as $$
begin
  delete from public.ai_response_cache r where r.user_id = p_user_id and r.key = p_key and r.expires_at <= now();
  return query
    select r.provider, r.model, r.content
      from public.ai_response_cache r
     where r.user_id = p_user_id and r.key = p_key and r.expires_at > now();
end
$$;

-- Caches a reply for p_ttl_seconds: an expired entry under the key is replaced, a live one kept
-- (two concurrent turns with the same request cache the same answer). Each call also deletes up
-- to 100 expired entries of anyone's, oldest first, so the table does not grow without bound.
create function public.ai_chat_cache_reply(
  p_user_id uuid,
  p_key text,
  p_provider text,
  p_model text,
  p_content text,
  p_ttl_seconds integer
) returns void
language plpgsql
security invoker
set search_path = ''
as $$
begin
  delete from public.ai_response_cache r
   where (r.user_id, r.key) in (
     select e.user_id, e.key from public.ai_response_cache e
      where e.expires_at <= now()
      order by e.expires_at
      limit 100
   );
  insert into public.ai_response_cache as r (user_id, key, provider, model, content, created_at, expires_at)
  values (p_user_id, p_key, p_provider, p_model, p_content, now(), now() + make_interval(secs => p_ttl_seconds))
  on conflict (user_id, key) do update
     set provider = excluded.provider, model = excluded.model, content = excluded.content,
         created_at = excluded.created_at, expires_at = excluded.expires_at
   where r.expires_at <= now();
end
$$;

-- ---------------------------------------------------------------------------------------------
-- Who may execute what. New functions are executable by everyone by default (and Supabase's
-- default privileges grant anon and authenticated too): hand each only to whom it is for.
-- ---------------------------------------------------------------------------------------------

revoke execute on function
  public.ai_chat_create_conversation(uuid, text, text, text, text, uuid),
  public.ai_chat_update_conversation(uuid, uuid, jsonb),
  public.ai_chat_append_message(uuid, uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid),
  public.ai_chat_import_conversation(uuid, jsonb, jsonb, integer),
  public.ai_chat_newest_leaf(uuid, uuid),
  public.ai_chat_read_cached_reply(uuid, text),
  public.ai_chat_cache_reply(uuid, text, text, text, text, integer)
  from public, anon, authenticated;

-- The user's own: they take no user id and run under RLS.
grant execute on function public.ai_chat_newest_leaf(uuid, uuid) to authenticated, service_role;

-- The server's: each takes the user id from the server's verified session.
grant execute on function
  public.ai_chat_create_conversation(uuid, text, text, text, text, uuid),
  public.ai_chat_update_conversation(uuid, uuid, jsonb),
  public.ai_chat_append_message(uuid, uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid),
  public.ai_chat_import_conversation(uuid, jsonb, jsonb, integer),
  public.ai_chat_read_cached_reply(uuid, text),
  public.ai_chat_cache_reply(uuid, text, text, text, text, integer)
  to service_role;
