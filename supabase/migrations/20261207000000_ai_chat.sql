-- ai-chat: the whole schema, stated once. Every table, function and policy the module uses, as
-- it is today; there is no history to replay.
--
-- Apply to a Supabase project with `supabase db push`. The same file runs unchanged on plain
-- PostgreSQL and on the embedded PGlite store after ../local/auth.sql and ../local/storage.sql
-- (never apply those two to Supabase).
--
-- Every table is `public.ai_chat_*` and every function `public.ai_chat_*`, so nothing collides
-- with an app's own `conversations` or `messages` tables. A prefix in `public`, not a schema of
-- its own: Supabase's PostgREST exposes only the schemas listed in "Exposed schemas" (`public` by
-- default), so a prefixed table works through supabase-js as shipped.
--
-- Who may do what, in short:
--   * `anon` reaches nothing;
--   * a signed-in user (`authenticated`) reads their own rows under row-level security, creates a
--     chat with a title, provider and model, renames it, flips its shown branch, deletes it and
--     their unsent files; nothing else, and nothing of anyone else's;
--   * everything else (messages, token counts, system prompts, summaries, usage, the reply cache,
--     reply runs, files' rows and bytes) is written by the server only (`service_role`), through
--     the functions below. Each takes the acting user's id, which the server took from its
--     verified session, and checks inside the function that the rows are that user's;
--   * no function a user may execute takes a user id; the user's functions run under RLS.
--
-- The functions on a turn's path are PL/pgSQL: a `language sql` function with `set search_path`
-- is never inlined and is planned again on every call (the branch read: ~2.4 ms a call as SQL,
-- ~0.15 ms as PL/pgSQL on PostgreSQL 15), while PL/pgSQL caches its plans per connection. Every
-- function keeps `set search_path = ''`, so a caller's search_path never reaches it, and runs as
-- its caller (security invoker).

-- =============================================================================================
-- Conversations and messages
-- =============================================================================================

create table public.ai_chat_conversations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  title text not null default 'New chat' check (char_length(title) between 1 and 200),
  system_prompt text check (char_length(system_prompt) <= 32000),
  provider text not null check (char_length(provider) between 1 and 64),
  model text not null check (char_length(model) between 1 and 128),
  -- Rolling summary of the turns that fell out of the context window, and the last message it
  -- covers (per branch point, see ai_chat_summaries; these two are what an import carries).
  summary text,
  summary_through_message_id uuid,
  -- The leaf of the branch the user is looking at; null until the first message.
  active_leaf_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- The list orders by the time of the last message, so renaming a chat does not move it. Kept
  -- to the millisecond: the list's page cursor is this time and the id as a browser holds them
  -- (a Date has no microseconds), so the next page starts exactly after the last chat shown.
  -- Writers truncate (as a Date does) rather than let the column round, so it reads as the last
  -- message's time.
  last_message_at timestamptz(3) not null default date_trunc('milliseconds', now()),
  -- Where the title came from: its first message (the server's first guess), a model (after the
  -- first reply), the person (a rename), or an import. A model title replaces only a
  -- first-message one, so a rename or an imported title is never overwritten.
  title_source text not null default 'first-message'
    check (title_source in ('first-message', 'model', 'user', 'import')),
  -- Pinned chats head the list; archived ones leave it for the Archived view. Null: neither.
  pinned_at timestamptz,
  archived_at timestamptz,
  -- The operator's MCP servers whose tools this chat's turns do not offer the model (issue 22).
  -- The server's to write (the REST API checks each name against the configured servers): like
  -- title_source, no column grant lets a user set it directly.
  disabled_mcp_servers text[] not null default '{}'
    check (cardinality(disabled_mcp_servers) <= 64
           and char_length(array_to_string(disabled_mcp_servers, ',')) <= 64 * 65)
);
comment on table public.ai_chat_conversations is
  'A user''s chats. The user creates, renames, flips the shown branch of and deletes their own; the server writes the rest.';
comment on column public.ai_chat_conversations.disabled_mcp_servers is
  'MCP servers turned off for this conversation (server names); written by the server only.';

-- A message is an ordered list of parts (text, reasoning, file, tool call, tool result, refusal).
-- `content` keeps the plain text of the text parts, for export, search and older code; a message
-- without parts reads as its content.
create table public.ai_chat_messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.ai_chat_conversations (id) on delete cascade,
  -- The message this one answers or follows; two children of one parent are two branches.
  parent_id uuid,
  role text not null check (role in ('system', 'user', 'assistant', 'tool')),
  content text not null default '',
  -- partial: cut off by the user or the network; error: the provider failed after some text.
  status text not null default 'complete' check (status in ('complete', 'partial', 'error')),
  provider text,
  model text,
  -- Tokens of this message's content, counted once so context fitting never re-tokenises history.
  tokens integer check (tokens >= 0),
  -- What producing this message cost (assistant messages); null when the price is unknown.
  cost numeric(20, 10) check (cost >= 0),
  tool_calls jsonb,
  tool_results jsonb,
  metadata jsonb not null default '{}'::jsonb,
  -- clock_timestamp, not now(): two messages written in one transaction must still sort.
  created_at timestamptz not null default clock_timestamp(),
  parts jsonb constraint ai_chat_messages_parts_is_array check (parts is null or jsonb_typeof(parts) = 'array'),
  unique (conversation_id, id),
  -- A message that is its own parent would make the recursive branch walks loop.
  constraint ai_chat_messages_not_own_parent check (parent_id <> id),
  -- A parent must sit in the same conversation, so a branch can never reach into another
  -- user's tree (foreign keys are checked without RLS, the conversation check is not).
  foreign key (conversation_id, parent_id)
    references public.ai_chat_messages (conversation_id, id) on delete cascade
);
comment on table public.ai_chat_messages is
  'Messages of a conversation, a tree by parent_id (edits and regenerations branch). Read by their owner, written only by the server.';

-- The active leaf must be a message of the same conversation; deleting it clears the pointer.
alter table public.ai_chat_conversations
  add constraint ai_chat_conversations_active_leaf_fkey
  foreign key (id, active_leaf_id)
  references public.ai_chat_messages (conversation_id, id)
  on delete set null (active_leaf_id);

create index ai_chat_conversations_user_last_message_idx
  on public.ai_chat_conversations (user_id, last_message_at desc, id desc);

-- The list's two views: the chats on show (pinned first, then by last message) and the archive.
create index ai_chat_conversations_user_shown_idx
  on public.ai_chat_conversations (user_id, last_message_at desc, id desc) where archived_at is null;
create index ai_chat_conversations_user_archived_idx
  on public.ai_chat_conversations (user_id, last_message_at desc, id desc) where archived_at is not null;
create index ai_chat_messages_conversation_order_idx on public.ai_chat_messages (conversation_id, created_at, id);
create index ai_chat_messages_children_idx on public.ai_chat_messages (conversation_id, parent_id);

-- updated_at is kept by the database, whoever writes.
create function public.ai_chat_touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;
comment on function public.ai_chat_touch_updated_at is
  'Trigger: keeps ai_chat_conversations.updated_at, whoever writes.';

create trigger ai_chat_conversations_touch_updated_at
  before update on public.ai_chat_conversations
  for each row execute function public.ai_chat_touch_updated_at();

alter table public.ai_chat_conversations enable row level security;
alter table public.ai_chat_messages enable row level security;

-- Column by column, only what the UI writes: a user starts a chat with a title, a provider and a
-- model (the id, the owner and every timestamp are the database's), renames it and flips between
-- its branches. Messages are the server's to write: a user may read them, nothing more.
revoke all on public.ai_chat_conversations, public.ai_chat_messages from anon, authenticated;
grant select, delete on public.ai_chat_conversations to authenticated;
grant insert (title, provider, model) on public.ai_chat_conversations to authenticated;
-- Renames, the shown branch, pins and the archive (the owner-updates policy scopes the row).
grant update (title, active_leaf_id, pinned_at, archived_at) on public.ai_chat_conversations to authenticated;
grant select on public.ai_chat_messages to authenticated;
grant all on public.ai_chat_conversations, public.ai_chat_messages to service_role;

-- A user sees only their own conversations.
create policy "ai_chat_conversations: owner reads"
  on public.ai_chat_conversations for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_conversations: owner reads" on public.ai_chat_conversations is
  'A signed-in user reads their own conversations, no one else''s.';

-- A user creates conversations only for themselves (the column grant limits what they set).
create policy "ai_chat_conversations: owner creates"
  on public.ai_chat_conversations for insert to authenticated
  with check (user_id = (select auth.uid()));
comment on policy "ai_chat_conversations: owner creates" on public.ai_chat_conversations is
  'A signed-in user creates conversations for themselves only (title, provider and model: column grants).';

-- A user renames their own conversations and flips their shown branch (the column grant), and
-- cannot give one away.
create policy "ai_chat_conversations: owner updates"
  on public.ai_chat_conversations for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));
comment on policy "ai_chat_conversations: owner updates" on public.ai_chat_conversations is
  'A signed-in user renames their own conversations and picks the branch on show (column grants), and cannot give one away.';

-- A user deletes their own conversations; their messages go with them.
create policy "ai_chat_conversations: owner deletes"
  on public.ai_chat_conversations for delete to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_conversations: owner deletes" on public.ai_chat_conversations is
  'A signed-in user deletes their own conversations; their messages, files and runs go with them.';

-- A user reads the messages of their own conversations. No policy lets a user write one.
create policy "ai_chat_messages: conversation owner reads"
  on public.ai_chat_messages for select to authenticated
  using (exists (
    select 1 from public.ai_chat_conversations c
    where c.id = ai_chat_messages.conversation_id and c.user_id = (select auth.uid())
  ));
comment on policy "ai_chat_messages: conversation owner reads" on public.ai_chat_messages is
  'A signed-in user reads the messages of their own conversations; only the server writes messages.';

-- Creates a conversation for p_user_id. p_id lets the server announce the id before the write.
create function public.ai_chat_create_conversation(
  p_user_id uuid,
  p_provider text,
  p_model text,
  p_title text default null,
  p_system_prompt text default null,
  p_id uuid default null
) returns setof public.ai_chat_conversations
language plpgsql
set search_path = ''
as $$
begin
  return query
  insert into public.ai_chat_conversations (id, user_id, title, system_prompt, provider, model)
  values (coalesce(p_id, gen_random_uuid()), p_user_id, coalesce(p_title, 'New chat'), p_system_prompt, p_provider, p_model)
  returning *;
end
$$;
comment on function public.ai_chat_create_conversation is
  'Server only: creates a conversation for p_user_id (p_id lets the server announce the id first).';

-- Sets the server-owned columns of p_user_id's conversation: each key present in p_changes
-- (system_prompt, summary, summary_through_message_id, provider, model, title) is written, a key
-- left out is kept. No row when the conversation is not that user's.
create function public.ai_chat_update_conversation(
  p_user_id uuid,
  p_conversation_id uuid,
  p_changes jsonb
) returns setof public.ai_chat_conversations
language sql
security invoker
set search_path = ''
as $$
  update public.ai_chat_conversations c
     set title = case when p_changes ? 'title' then p_changes ->> 'title' else c.title end,
         system_prompt = case when p_changes ? 'system_prompt' then p_changes ->> 'system_prompt' else c.system_prompt end,
         summary = case when p_changes ? 'summary' then p_changes ->> 'summary' else c.summary end,
         summary_through_message_id = case
           when p_changes ? 'summary_through_message_id' then (p_changes ->> 'summary_through_message_id')::uuid
           else c.summary_through_message_id end,
         provider = case when p_changes ? 'provider' then p_changes ->> 'provider' else c.provider end,
         model = case when p_changes ? 'model' then p_changes ->> 'model' else c.model end,
         disabled_mcp_servers = case
           when p_changes ? 'disabled_mcp_servers'
             then array(select jsonb_array_elements_text(p_changes -> 'disabled_mcp_servers'))
           else c.disabled_mcp_servers end
   where c.id = p_conversation_id and c.user_id = p_user_id
  returning c.*
$$;
comment on function public.ai_chat_update_conversation is
  'Server only: sets the keys present in p_changes on p_user_id''s conversation; no row when it is not theirs.';

-- Appends a message to p_user_id's conversation and makes it the list's "last message" time and,
-- as a rule, the shown leaf, atomically. The token count is the server's own (it counted the
-- text). p_expected_leaf is for a durable reply, which may be saved long after its turn began:
-- by then the person may have carried on elsewhere, so the message takes the shown branch only
-- when the shown leaf is still p_expected_leaf or the message's parent; otherwise it is one more
-- version beside it. Null: always.
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
  p_parts jsonb default null,
  p_expected_leaf uuid default null
) returns public.ai_chat_messages
language plpgsql
security invoker
set search_path = ''
as $$
declare
  inserted public.ai_chat_messages;
begin
  perform 1 from public.ai_chat_conversations c where c.id = p_conversation_id and c.user_id = p_user_id;
  if not found then
    raise exception 'conversation % is not this user''s', p_conversation_id using errcode = '42501';
  end if;

  insert into public.ai_chat_messages (
    id, conversation_id, parent_id, role, content, status, provider, model, tokens, cost,
    tool_calls, tool_results, metadata, parts
  ) values (
    coalesce(p_id, gen_random_uuid()), p_conversation_id, p_parent_id, p_role, p_content,
    coalesce(p_status, 'complete'), p_provider, p_model, p_tokens, p_cost, p_tool_calls, p_tool_results,
    coalesce(p_metadata, '{}'::jsonb), nullif(p_parts, 'null'::jsonb)
  )
  returning * into inserted;

  update public.ai_chat_conversations c
     set active_leaf_id = case
           when p_expected_leaf is null or c.active_leaf_id is null
             or c.active_leaf_id = p_expected_leaf or c.active_leaf_id is not distinct from p_parent_id
           then inserted.id
           else c.active_leaf_id
         end,
         last_message_at = date_trunc('milliseconds', inserted.created_at)
   where c.id = p_conversation_id;

  return inserted;
end
$$;
comment on function public.ai_chat_append_message is
  'Server only: appends a message to p_user_id''s conversation and moves the shown leaf (unless p_expected_leaf says the person moved on).';

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
    date_trunc('milliseconds', base_time + greatest(message_count - 1, 0) * interval '1 microsecond')
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

-- Branch walks are bounded, whatever the data: the check constraint and server-chosen ids keep
-- cycles out of the tree, and each walk goes by ids with `union`, not `union all`, which drops a
-- row met twice, so a cycle would end after one lap instead of never.

-- The messages of a branch, root first: the one ending at p_leaf_id, or the active one when
-- p_leaf_id is null. A parent is always older than its children (the database stamps each
-- write), so creation order is branch order. Whole rows (`m.*` follows the table). Runs as the
-- caller, so RLS decides.
create function public.ai_chat_branch(p_conversation_id uuid, p_leaf_id uuid default null)
returns setof public.ai_chat_messages
language plpgsql
stable
set search_path = ''
as $$
begin
  -- The conversation id travels with each row so every step is one lookup in the unique
  -- (conversation_id, id) index, however stale the planner's statistics are after an import.
  return query
  with recursive chain (conversation_id, id, parent_id) as (
    select m.conversation_id, m.id, m.parent_id
      from public.ai_chat_messages m
      join public.ai_chat_conversations c on c.id = m.conversation_id
     where c.id = p_conversation_id
       and m.id = coalesce(p_leaf_id, c.active_leaf_id)
    union
    select m.conversation_id, m.id, m.parent_id
      from chain b
      join public.ai_chat_messages m on m.conversation_id = b.conversation_id and m.id = b.parent_id
  )
  select m.*
    from chain
    join public.ai_chat_messages m on m.conversation_id = chain.conversation_id and m.id = chain.id
   order by m.created_at, m.id;
end
$$;
comment on function public.ai_chat_branch is
  'The caller''s branch, root first, ending at p_leaf_id or the shown leaf; RLS decides.';

-- The newest leaf under p_message_id in p_conversation_id; null when there is none. The newest
-- message of a subtree is always a leaf: children are younger.
create function public.ai_chat_newest_leaf(p_conversation_id uuid, p_message_id uuid)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
  leaf uuid;
begin
  with recursive subtree (conversation_id, id, created_at) as (
    select m.conversation_id, m.id, m.created_at
      from public.ai_chat_messages m
     where m.conversation_id = p_conversation_id and m.id = p_message_id
    union
    select m.conversation_id, m.id, m.created_at
      from subtree s
      join public.ai_chat_messages m on m.conversation_id = s.conversation_id and m.parent_id = s.id
  )
  select s.id into leaf from subtree s order by s.created_at desc, s.id desc limit 1;
  return leaf;
end
$$;
comment on function public.ai_chat_newest_leaf is
  'The newest leaf under p_message_id; RLS decides.';

-- Makes the newest leaf under p_message_id the active one (flipping to a sibling branch shows
-- that branch as it was last left) and returns that leaf's id; null when the message is not
-- the caller's. Runs as the caller: RLS and the active_leaf_id column grant decide.
create function public.ai_chat_switch_branch(p_conversation_id uuid, p_message_id uuid)
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
  update public.ai_chat_conversations set active_leaf_id = leaf where id = p_conversation_id;
  if not found then
    return null;
  end if;
  return leaf;
end
$$;
comment on function public.ai_chat_switch_branch is
  'Shows the newest leaf under p_message_id and returns it; null when not the caller''s. RLS and the column grant decide.';

-- The versions (siblings) of each message on a branch, computed here: opening a conversation
-- never lists every message of every branch (hosted PostgREST answers at most `max-rows` rows).
-- For the branch ending at p_leaf_id (default: the conversation's shown leaf), each message that
-- has siblings and all of them, itself included, oldest first; rows in message id order (the
-- order a paged read asks for), at most one per message of the branch. Who may read: as the caller
-- (security invoker), so RLS on ai_chat_messages shows a user only their own conversations; another
-- user's conversation yields no rows.
create function public.ai_chat_branch_siblings(p_conversation_id uuid, p_leaf_id uuid default null)
returns table (message_id uuid, sibling_ids uuid[])
language plpgsql
stable
set search_path = ''
as $$
begin
  -- The branch walk of ai_chat_branch, ids only (its rows carry whole messages); then each
  -- message's group by one lookup in ai_chat_messages_children_idx. `=` never matches a null parent, so
  -- the roots (a first message and its edits) are a second, separate lookup.
  return query
  with recursive chain (conversation_id, id, parent_id) as (
    select m.conversation_id, m.id, m.parent_id
      from public.ai_chat_messages m
      join public.ai_chat_conversations c on c.id = m.conversation_id
     where c.id = p_conversation_id
       and m.id = coalesce(p_leaf_id, c.active_leaf_id)
    union
    select m.conversation_id, m.id, m.parent_id
      from chain b
      join public.ai_chat_messages m on m.conversation_id = b.conversation_id and m.id = b.parent_id
  ), versions (message_id, id, created_at) as (
    select b.id, m.id, m.created_at
      from chain b
      join public.ai_chat_messages m on m.conversation_id = b.conversation_id and m.parent_id = b.parent_id
    union all
    select b.id, m.id, m.created_at
      from chain b
      join public.ai_chat_messages m on m.conversation_id = b.conversation_id and m.parent_id is null
     where b.parent_id is null
  )
  select v.message_id, array_agg(v.id order by v.created_at, v.id)
    from versions v
   group by v.message_id
  having count(*) > 1
   order by v.message_id;
end
$$;
comment on function public.ai_chat_branch_siblings(uuid, uuid) is
  'Each message of a branch that has versions, with all of them oldest first: the pickers, without listing every message of every branch (PostgREST caps a read at max-rows). Runs as the caller, under RLS.';

-- =============================================================================================
-- Usage and limits
-- =============================================================================================
-- A turn's money has one owner on the server (the turn ledger); these are its database halves.
-- A reservation counts at its estimate until it is settled, so a server that dies mid-turn never
-- gives tokens back. Anthropic cache writes are billed above the input rate, so they are kept
-- apart (`cache_write_tokens`, part of prompt_tokens as cache reads are).

create table public.ai_chat_usage (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  -- Usage outlives the conversation: deleting a chat must not give the tokens back.
  conversation_id uuid references public.ai_chat_conversations (id) on delete set null,
  message_id uuid,
  provider text not null,
  model text not null,
  prompt_tokens integer not null default 0 check (prompt_tokens >= 0),
  completion_tokens integer not null default 0 check (completion_tokens >= 0),
  cached_prompt_tokens integer not null default 0 check (cached_prompt_tokens >= 0),
  total_tokens integer generated always as (prompt_tokens + completion_tokens) stored,
  -- Dollars, exact. Null when the model has no known price.
  cost numeric(20, 10) check (cost >= 0),
  status text not null default 'settled' check (status in ('reserved', 'settled')),
  created_at timestamptz not null default now(),
  settled_at timestamptz,
  cache_write_tokens integer not null default 0 check (cache_write_tokens >= 0),
  -- What the call was for. A person's request is a turn or an import; a title or a summary is a
  -- side call a turn caused: billed in full, never counted as one more request.
  purpose text not null default 'turn' check (purpose in ('turn', 'import', 'title', 'summary'))
);
comment on table public.ai_chat_usage is
  'Tokens and exact cost per provider call or turn hold; the limits read it. Read by its owner, written only by the server.';

-- The hold a turn has is what `prompt_tokens` and `cost` say while `status = 'reserved'`.
comment on column public.ai_chat_usage.purpose is
  'turn or import: a request of the person (the requests-per-minute limit and the month''s request count); title or summary: a side call of a turn, billed but not a request.';
comment on column public.ai_chat_usage.status is
  'reserved: the turn''s current hold (prompt_tokens = tokens held, cost = dollars held), counted in full until settled; settled: what the provider billed.';

create index ai_chat_usage_user_time_idx on public.ai_chat_usage (user_id, created_at);

alter table public.ai_chat_usage enable row level security;
-- Users only read their usage: limits would be forgeable otherwise.
revoke all on public.ai_chat_usage from anon, authenticated;
grant select on public.ai_chat_usage to authenticated;
grant all on public.ai_chat_usage to service_role;

-- A user reads their own usage. No policy lets a user insert, update or delete it.
create policy "ai_chat_usage: owner reads"
  on public.ai_chat_usage for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_usage: owner reads" on public.ai_chat_usage is
  'A signed-in user reads their own usage; only the server writes it (limits would be forgeable otherwise).';

-- Per-user usage totals, what the limits and the meter read, kept in step with ai_chat_usage.
--
-- The limits used to sum every usage row of the user's month on each reservation, so a turn of
-- a user with 100,000 provider calls this month summed 100,000 rows (tens of milliseconds, under
-- the user's lock). ai_chat_usage stays the record; this table is a cache of its sums per user
-- and UTC day, written by a trigger on ai_chat_usage in the same transaction as the row it sums:
-- a transaction that commits a usage row commits its totals with it, and one that rolls back
-- leaves neither, so a reader sees totals equal to the sum of the committed rows, on one server
-- or many. Concurrent writers of one user's day queue on that day's totals row (an upsert), for
-- as long as their transaction lasts; a reservation already holds the user's advisory lock.
--
-- Buckets are UTC days of the row's created_at, the calendar the windows use: "today" is the
-- rows created at or after today's UTC midnight, "this month" those at or after the first of the
-- month's UTC midnight, and summing the days from that midnight on gives exactly those rows.

create table public.ai_chat_usage_totals (
  user_id uuid not null references auth.users (id) on delete cascade,
  -- The UTC calendar day of the rows' created_at.
  day date not null,
  -- Every row: settled rows at what was billed, reserved rows at their hold.
  tokens bigint not null default 0,
  cost numeric not null default 0,
  -- The reserved rows' part of the two above (holds of replies in progress).
  held_tokens bigint not null default 0,
  held_cost numeric not null default 0,
  -- Usage rows (provider calls and turn holds).
  requests bigint not null default 0,
  primary key (user_id, day)
)
-- Room on each page for the next versions of its rows (HOT updates), so a counter updated on
-- every turn stays on its page without a vacuum (PGlite has no autovacuum).
with (fillfactor = 50);
comment on table public.ai_chat_usage_totals is
  'Sums of ai_chat_usage per user and UTC day, kept by a trigger in the same transaction; the limits and the meter read them. Read by its owner, written only through ai_chat_usage.';

alter table public.ai_chat_usage_totals enable row level security;
revoke all on public.ai_chat_usage_totals from anon, authenticated;
grant select on public.ai_chat_usage_totals to authenticated;
grant all on public.ai_chat_usage_totals to service_role;

-- A user reads their own totals (the meter). No policy lets a user write them.
create policy "ai_chat_usage_totals: owner reads"
  on public.ai_chat_usage_totals for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_usage_totals: owner reads" on public.ai_chat_usage_totals is
  'A signed-in user reads their own usage totals; only the trigger on ai_chat_usage writes them (limits would be forgeable otherwise).';

-- Adds a statement's usage rows to their days' totals, one upsert per user and day however many
-- rows the statement wrote (a bulk import or a seeded benchmark writes each totals row once, not
-- once per usage row), in (user, day) order so two statements lock shared rows in one order. A
-- delete only subtracts: the user's totals may be going with the user, by cascade, and must not
-- be made again.
--
-- Security definer, the one function that is: a usage row changes as a side effect of writes by
-- others (a user deleting a chat sets its rows' conversation_id null, an auth admin deleting a
-- user cascades), and the foreign keys' actions fire this trigger as that writer, who may not
-- write the totals. A trigger function cannot be called directly; search_path stays empty.
create function public.ai_chat_usage_totals_keep()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if tg_op = 'TRUNCATE' then
    delete from public.ai_chat_usage_totals;
  elsif tg_op = 'DELETE' then
    update public.ai_chat_usage_totals t
       set tokens = t.tokens - d.tokens, cost = t.cost - d.cost, held_tokens = t.held_tokens - d.held_tokens,
           held_cost = t.held_cost - d.held_cost, requests = t.requests - d.requests
      from (
        select o.user_id, (o.created_at at time zone 'UTC')::date as day,
               sum(o.prompt_tokens::bigint + o.completion_tokens) as tokens, coalesce(sum(o.cost), 0) as cost,
               coalesce(sum(o.prompt_tokens::bigint + o.completion_tokens) filter (where o.status = 'reserved'), 0) as held_tokens,
               coalesce(sum(o.cost) filter (where o.status = 'reserved'), 0) as held_cost,
               count(*) filter (where o.purpose in ('turn', 'import')) as requests
          from old_rows o
         group by 1, 2
      ) d
     where t.user_id = d.user_id and t.day = d.day;
  elsif tg_op = 'INSERT' then
    insert into public.ai_chat_usage_totals as t (user_id, day, tokens, cost, held_tokens, held_cost, requests)
    select n.user_id, (n.created_at at time zone 'UTC')::date,
           sum(n.prompt_tokens::bigint + n.completion_tokens), coalesce(sum(n.cost), 0),
           coalesce(sum(n.prompt_tokens::bigint + n.completion_tokens) filter (where n.status = 'reserved'), 0),
           coalesce(sum(n.cost) filter (where n.status = 'reserved'), 0),
           count(*) filter (where n.purpose in ('turn', 'import'))
      from new_rows n
     group by 1, 2
     order by 1, 2
    on conflict (user_id, day) do update
      set tokens = t.tokens + excluded.tokens, cost = t.cost + excluded.cost,
          held_tokens = t.held_tokens + excluded.held_tokens, held_cost = t.held_cost + excluded.held_cost,
          requests = t.requests + excluded.requests;
  else
    -- An update: the rows as they are join their day, the rows as they were leave theirs.
    insert into public.ai_chat_usage_totals as t (user_id, day, tokens, cost, held_tokens, held_cost, requests)
    select r.user_id, r.day, sum(r.tokens), sum(r.cost), sum(r.held_tokens), sum(r.held_cost), sum(r.requests)
      from (
        select n.user_id, (n.created_at at time zone 'UTC')::date as day,
               n.prompt_tokens::bigint + n.completion_tokens as tokens, coalesce(n.cost, 0) as cost,
               case when n.status = 'reserved' then n.prompt_tokens::bigint + n.completion_tokens else 0 end as held_tokens,
               case when n.status = 'reserved' then coalesce(n.cost, 0) else 0 end as held_cost,
               case when n.purpose in ('turn', 'import') then 1 else 0 end as requests
          from new_rows n
        union all
        select o.user_id, (o.created_at at time zone 'UTC')::date,
               -(o.prompt_tokens::bigint + o.completion_tokens), -coalesce(o.cost, 0),
               case when o.status = 'reserved' then -(o.prompt_tokens::bigint + o.completion_tokens) else 0 end,
               case when o.status = 'reserved' then -coalesce(o.cost, 0) else 0 end,
               case when o.purpose in ('turn', 'import') then -1 else 0 end
          from old_rows o
      ) r
     group by r.user_id, r.day
    -- An update that changes nothing counted (a chat deleted sets conversation_id null) writes nothing.
    having sum(r.tokens) <> 0 or sum(r.cost) <> 0 or sum(r.held_tokens) <> 0 or sum(r.held_cost) <> 0 or sum(r.requests) <> 0
     order by r.user_id, r.day
    on conflict (user_id, day) do update
      set tokens = t.tokens + excluded.tokens, cost = t.cost + excluded.cost,
          held_tokens = t.held_tokens + excluded.held_tokens, held_cost = t.held_cost + excluded.held_cost,
          requests = t.requests + excluded.requests;
  end if;
  return null;
end
$$;
comment on function public.ai_chat_usage_totals_keep is
  'Trigger: keeps ai_chat_usage_totals equal to the sums of ai_chat_usage, in the writer''s transaction.';

-- One trigger per event: a trigger with transition tables takes one event.
create trigger ai_chat_usage_totals_insert
  after insert on public.ai_chat_usage
  referencing new table as new_rows
  for each statement execute function public.ai_chat_usage_totals_keep();
create trigger ai_chat_usage_totals_update
  after update on public.ai_chat_usage
  referencing old table as old_rows new table as new_rows
  for each statement execute function public.ai_chat_usage_totals_keep();
create trigger ai_chat_usage_totals_delete
  after delete on public.ai_chat_usage
  referencing old table as old_rows
  for each statement execute function public.ai_chat_usage_totals_keep();
-- A truncate (an operator's reset, a test's) fires no delete trigger: it empties the totals too.
create trigger ai_chat_usage_totals_truncate
  after truncate on public.ai_chat_usage
  for each statement execute function public.ai_chat_usage_totals_keep();

-- The user's usage in the windows the limits use, every row counted (reservations at their
-- hold), as of p_at (now, unless a test moves the clock): at most 31 rows of totals, whatever
-- the user's history. Called under the per-user lock by the two functions that may grant a hold.
create function public.ai_chat_usage_in_windows(p_user_id uuid, p_at timestamptz default now())
returns table (tokens_today bigint, cost_this_month numeric)
language plpgsql
stable
set search_path = ''
as $$
declare
  today date := (date_trunc('day', p_at, 'UTC') at time zone 'UTC')::date;
  month_first date := (date_trunc('month', p_at, 'UTC') at time zone 'UTC')::date;
begin
  return query
  select
    coalesce(sum(t.tokens) filter (where t.day >= today), 0)::bigint,
    coalesce(sum(t.cost) filter (where t.day >= month_first), 0)
  from public.ai_chat_usage_totals t
  where t.user_id = p_user_id
    and t.day >= least(today, month_first);
end
$$;
comment on function public.ai_chat_usage_in_windows is
  'Server only: p_user_id''s tokens today and cost this month (UTC) as of p_at, every row counted, from the totals.';

-- The caller's usage today and this calendar month (UTC): spent (settled rows) and held (reserved
-- rows: the most the replies in progress may still spend) apart, so a meter never shows a hold as
-- spent. Limits still count holds (ai_chat_usage_in_windows). Security invoker: under RLS.
create function public.ai_chat_usage_summary()
returns table (
  tokens_today bigint,
  cost_today numeric,
  tokens_this_month bigint,
  cost_this_month numeric,
  requests_this_month bigint,
  held_tokens_today bigint,
  held_cost_this_month numeric
)
language plpgsql
stable
security invoker
set search_path = ''
as $$
declare
  today date := (date_trunc('day', now(), 'UTC') at time zone 'UTC')::date;
  month_first date := (date_trunc('month', now(), 'UTC') at time zone 'UTC')::date;
begin
  return query
  select
    coalesce(sum(t.tokens - t.held_tokens) filter (where t.day >= today), 0)::bigint,
    coalesce(sum(t.cost - t.held_cost) filter (where t.day >= today), 0),
    coalesce(sum(t.tokens - t.held_tokens), 0)::bigint,
    coalesce(sum(t.cost - t.held_cost), 0),
    coalesce(sum(t.requests), 0)::bigint,
    coalesce(sum(t.held_tokens) filter (where t.day >= today), 0)::bigint,
    coalesce(sum(t.held_cost), 0)
  from public.ai_chat_usage_totals t
  where t.user_id = (select auth.uid())
    and t.day >= month_first;
end
$$;

-- When each upload was taken, for the requests-per-minute count: a file removed at once (or
-- expired) must still count. Rows older than a minute are pruned by the next upload of the same
-- user. Only the server reads or writes them: RLS on, no policy, service_role's grant alone.
create table public.ai_chat_upload_requests (
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now()
);
create index ai_chat_upload_requests_user_idx on public.ai_chat_upload_requests (user_id, created_at);
comment on table public.ai_chat_upload_requests is
  'When each of a user''s uploads was taken, for the requests-per-minute limit. The server''s alone.';
alter table public.ai_chat_upload_requests enable row level security;
revoke all on public.ai_chat_upload_requests from public, anon, authenticated, service_role;
grant select, insert, delete on public.ai_chat_upload_requests to service_role;

-- The user's requests of the last minute: chat turns (their usage rows) and uploads. `oldest`
-- tells when the window frees a slot. Called by the two functions that count requests per minute.
create function public.ai_chat_recent_requests(p_user_id uuid)
returns table (recent integer, oldest timestamptz)
language sql
stable
security invoker
set search_path = ''
as $$
  select count(*)::integer, min(r.created_at)
  from (
    select u.created_at from public.ai_chat_usage u
     where u.user_id = p_user_id and u.created_at > now() - interval '1 minute' and u.purpose in ('turn', 'import')
    union all
    select q.created_at from public.ai_chat_upload_requests q
     where q.user_id = p_user_id and q.created_at > now() - interval '1 minute'
  ) r
$$;
comment on function public.ai_chat_recent_requests is
  'Server only: p_user_id''s requests of the last minute, chat turns and uploads.';

-- Checks the user's limits and, if there is room, holds an estimate of this turn's usage,
-- atomically: a per-user advisory lock serialises concurrent requests, on one server or many.
-- A null limit is no limit. `retry_after_seconds` is when the window that refused resets.
create function public.ai_chat_reserve_usage(
  p_user_id uuid,
  p_provider text,
  p_model text,
  p_conversation_id uuid default null,
  p_estimated_tokens integer default 0,
  p_estimated_cost numeric default 0,
  p_max_tokens_per_day bigint default null,
  p_max_cost_per_month numeric default null,
  p_max_requests_per_minute integer default null,
  p_purpose text default 'turn'
) returns table (
  reservation_id uuid,
  allowed boolean,
  reason text,
  retry_after_seconds integer,
  tokens_today bigint,
  cost_this_month numeric
)
language plpgsql
security invoker
set search_path = ''
as $$
declare
  day_start timestamptz := date_trunc('day', now(), 'UTC');
  month_start timestamptz := date_trunc('month', now(), 'UTC');
  used_tokens bigint;
  used_cost numeric;
  recent_requests integer;
  oldest_recent timestamptz;
  new_id uuid;
begin
  perform pg_advisory_xact_lock(hashtextextended('ai_chat_usage:' || p_user_id::text, 0));
  select w.tokens_today, w.cost_this_month into used_tokens, used_cost
  from public.ai_chat_usage_in_windows(p_user_id) w;

  if p_max_requests_per_minute is not null then
    select r.recent, r.oldest into recent_requests, oldest_recent
    from public.ai_chat_recent_requests(p_user_id) r;
    if recent_requests >= p_max_requests_per_minute then
      return query select null::uuid, false, 'requests_per_minute',
        greatest(1, ceil(extract(epoch from (oldest_recent + interval '1 minute' - now())))::integer),
        used_tokens, used_cost;
      return;
    end if;
  end if;

  if p_max_tokens_per_day is not null and used_tokens + p_estimated_tokens > p_max_tokens_per_day then
    return query select null::uuid, false, 'tokens_per_day',
      ceil(extract(epoch from (day_start + interval '1 day' - now())))::integer,
      used_tokens, used_cost;
    return;
  end if;

  if p_max_cost_per_month is not null and used_cost + p_estimated_cost > p_max_cost_per_month then
    return query select null::uuid, false, 'cost_per_month',
      ceil(extract(epoch from (month_start + interval '1 month' - now())))::integer,
      used_tokens, used_cost;
    return;
  end if;

  insert into public.ai_chat_usage (
    user_id, conversation_id, provider, model, prompt_tokens, completion_tokens, cost, status, purpose
  ) values (
    p_user_id,
    (select c.id from public.ai_chat_conversations c where c.id = p_conversation_id),
    p_provider, p_model, greatest(p_estimated_tokens, 0), 0, greatest(p_estimated_cost, 0), 'reserved', p_purpose
  )
  returning id into new_id;

  return query select new_id, true, null::text, null::integer, used_tokens, used_cost;
end
$$;
comment on function public.ai_chat_reserve_usage is
  'Server only: checks p_user_id''s limits under a per-user lock and, if there is room, holds the turn''s estimate.';

-- Moves a turn's hold to `p_tokens` / `p_cost` (what it has spent so far plus the next call's
-- estimate) if the limits allow it, under the same lock as a reservation. Refused: the hold is
-- left as it was, and the turn settles what it spent. A hold that is already settled is refused.
create function public.ai_chat_hold_usage(
  p_user_id uuid,
  p_reservation_id uuid,
  p_tokens integer,
  p_cost numeric default 0,
  p_max_tokens_per_day bigint default null,
  p_max_cost_per_month numeric default null
) returns table (
  allowed boolean,
  reason text,
  retry_after_seconds integer,
  tokens_today bigint,
  cost_this_month numeric
)
language plpgsql
security invoker
set search_path = ''
as $$
declare
  day_start timestamptz := date_trunc('day', now(), 'UTC');
  month_start timestamptz := date_trunc('month', now(), 'UTC');
  used_tokens bigint;
  used_cost numeric;
  held_tokens bigint;
  held_cost numeric;
  held_at timestamptz;
begin
  perform pg_advisory_xact_lock(hashtextextended('ai_chat_usage:' || p_user_id::text, 0));
  select u.total_tokens, coalesce(u.cost, 0), u.created_at into held_tokens, held_cost, held_at
  from public.ai_chat_usage u
  where u.id = p_reservation_id and u.user_id = p_user_id and u.status = 'reserved';
  select w.tokens_today, w.cost_this_month into used_tokens, used_cost
  from public.ai_chat_usage_in_windows(p_user_id) w;
  if held_tokens is null then
    return query select false, 'tokens_per_day', 0, used_tokens, used_cost;
    return;
  end if;

  -- What the others hold plus the new hold; a hold made yesterday no longer counts today.
  if p_max_tokens_per_day is not null
     and used_tokens - (case when held_at >= day_start then held_tokens else 0 end) + p_tokens > p_max_tokens_per_day then
    return query select false, 'tokens_per_day',
      ceil(extract(epoch from (day_start + interval '1 day' - now())))::integer, used_tokens, used_cost;
    return;
  end if;
  if p_max_cost_per_month is not null
     and used_cost - (case when held_at >= month_start then held_cost else 0 end) + p_cost > p_max_cost_per_month then
    return query select false, 'cost_per_month',
      ceil(extract(epoch from (month_start + interval '1 month' - now())))::integer, used_tokens, used_cost;
    return;
  end if;

  update public.ai_chat_usage
     set prompt_tokens = greatest(p_tokens, 0), completion_tokens = 0, cost = greatest(p_cost, 0)
   where id = p_reservation_id;
  return query select true, null::text, null::integer, used_tokens, used_cost;
end
$$;
comment on function public.ai_chat_hold_usage is
  'Server only: moves a turn''s hold if the limits allow it, under the same lock.';

-- Replaces a reservation with what the turn billed, once: a second settle of the same
-- reservation changes nothing and returns false. The conversation is pointed at only if it
-- still exists; the usage stays either way.
create function public.ai_chat_settle_usage(
  p_reservation_id uuid,
  p_provider text,
  p_model text,
  p_prompt_tokens integer,
  p_completion_tokens integer,
  p_cached_prompt_tokens integer default 0,
  p_cache_write_tokens integer default 0,
  p_cost numeric default null,
  p_message_id uuid default null,
  p_conversation_id uuid default null
) returns boolean
language plpgsql
set search_path = ''
as $$
begin
  update public.ai_chat_usage
     set provider = p_provider,
         -- A turn that starts a conversation reserves before the conversation exists.
         conversation_id = coalesce(conversation_id, (select c.id from public.ai_chat_conversations c where c.id = p_conversation_id)),
         model = p_model,
         prompt_tokens = p_prompt_tokens,
         completion_tokens = p_completion_tokens,
         cached_prompt_tokens = coalesce(p_cached_prompt_tokens, 0),
         cache_write_tokens = coalesce(p_cache_write_tokens, 0),
         cost = p_cost,
         message_id = p_message_id,
         status = 'settled',
         settled_at = now()
   where id = p_reservation_id and status = 'reserved';
  return found;
end
$$;
comment on function public.ai_chat_settle_usage is
  'Server only: replaces a hold with what the turn billed, once.';

-- Records a provider call that had no reservation of its own. Server only.
create function public.ai_chat_record_usage(
  p_user_id uuid,
  p_provider text,
  p_model text,
  p_prompt_tokens integer,
  p_completion_tokens integer,
  p_cached_prompt_tokens integer default 0,
  p_cache_write_tokens integer default 0,
  p_cost numeric default null,
  p_conversation_id uuid default null,
  p_message_id uuid default null
) returns uuid
language sql
security invoker
set search_path = ''
as $$
  insert into public.ai_chat_usage (
    user_id, conversation_id, message_id, provider, model, prompt_tokens, completion_tokens,
    cached_prompt_tokens, cache_write_tokens, cost, status, settled_at
  ) values (
    p_user_id, (select c.id from public.ai_chat_conversations c where c.id = p_conversation_id), p_message_id,
    p_provider, p_model, p_prompt_tokens, p_completion_tokens, coalesce(p_cached_prompt_tokens, 0),
    coalesce(p_cache_write_tokens, 0), p_cost, 'settled', now()
  )
  returning id
$$;
comment on function public.ai_chat_record_usage is
  'Server only: records a provider call that had no hold of its own.';

-- =============================================================================================
-- Replies (durable runs)
-- =============================================================================================
-- A reply's generation outlives the request that started it. The instance generating a reply
-- checkpoints it here at a bounded rate (about once a second, never per token); other instances
-- follow a reply from its checkpoints, ask for it to stop, and mark it interrupted when its
-- checkpoints stop coming (the instance died). Only the server writes these tables; a user may
-- read their own runs.

create table public.ai_chat_reply_runs (
  -- The assistant message's id: the reply is saved under it when it ends.
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  conversation_id uuid not null references public.ai_chat_conversations (id) on delete cascade,
  parent_id uuid,
  provider text not null,
  model text not null,
  -- The usage reservation the turn holds; settled from `fallback` if the run is interrupted.
  reservation_id uuid,
  state text not null default 'generating' check (state in ('generating', 'finished', 'interrupted')),
  started_at timestamptz not null default now(),
  heartbeat_at timestamptz not null default now(),
  ended_at timestamptz,
  stop_requested_at timestamptz,
  -- The conversation's shown leaf when the turn began: the reply, saved late, takes the shown
  -- branch only if the person is still there (see ai_chat_append_message's p_expected_leaf).
  expected_leaf_id uuid,
  -- The assistant row as it would be saved if the run died now (status partial), and the usage
  -- settlement to make then: { message: {...append args}, settlement: {...settle args} }.
  fallback jsonb
);
comment on table public.ai_chat_reply_runs is
  'Durable replies: one row per reply being generated, checkpointed by its instance. Read by its owner, written only by the server.';

create index ai_chat_reply_runs_generating on public.ai_chat_reply_runs (heartbeat_at) where state = 'generating';
create index ai_chat_reply_runs_conversation on public.ai_chat_reply_runs (conversation_id) where state = 'generating';

-- The run's events, in order, one row per checkpoint (consecutive deltas coalesced).
create table public.ai_chat_reply_events (
  run_id uuid not null references public.ai_chat_reply_runs (id) on delete cascade,
  seq integer not null check (seq >= 0),
  events jsonb not null,
  primary key (run_id, seq)
);
comment on table public.ai_chat_reply_events is
  'A reply run''s events, one row per checkpoint. Read by the run''s owner, written only by the generating server.';

alter table public.ai_chat_reply_runs enable row level security;
alter table public.ai_chat_reply_events enable row level security;
revoke all on public.ai_chat_reply_runs, public.ai_chat_reply_events from anon, authenticated;
grant select on public.ai_chat_reply_runs, public.ai_chat_reply_events to authenticated;
grant all on public.ai_chat_reply_runs, public.ai_chat_reply_events to service_role;

-- A user reads their own reply runs (to follow one in progress). Nobody but the server's
-- functions writes them: no insert, update or delete policy, and no such grant, for users.
create policy "ai_chat_reply_runs: owner reads"
  on public.ai_chat_reply_runs for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_reply_runs: owner reads" on public.ai_chat_reply_runs is
  'A signed-in user reads their own reply runs (to follow one in progress); only the server writes them.';

-- A user reads the events of their own reply runs. Only the generating server appends them.
create policy "ai_chat_reply_events: run owner reads"
  on public.ai_chat_reply_events for select to authenticated
  using (exists (
    select 1 from public.ai_chat_reply_runs r where r.id = run_id and r.user_id = (select auth.uid())
  ));
comment on policy "ai_chat_reply_events: run owner reads" on public.ai_chat_reply_events is
  'A signed-in user reads the events of their own reply runs; only the generating server appends them.';

-- Registers a reply run of p_user_id's conversation. Server only.
create function public.ai_chat_reply_start(
  p_user_id uuid,
  p_id uuid,
  p_conversation_id uuid,
  p_parent_id uuid,
  p_provider text,
  p_model text,
  p_reservation_id uuid default null,
  p_expected_leaf uuid default null,
  p_fallback jsonb default null
) returns boolean
language plpgsql
set search_path = ''
as $$
begin
  insert into public.ai_chat_reply_runs (id, user_id, conversation_id, parent_id, provider, model, reservation_id, expected_leaf_id, fallback)
  select p_id, p_user_id, c.id, p_parent_id, p_provider, p_model, p_reservation_id, p_expected_leaf, nullif(p_fallback, 'null'::jsonb)
    from public.ai_chat_conversations c
   where c.id = p_conversation_id and c.user_id = p_user_id
  on conflict (id) do nothing;
  return found;
end
$$;
comment on function public.ai_chat_reply_start is
  'Server only: registers a reply run of p_user_id''s conversation.';

-- One tick of an instance, in one statement for all its runs: appends each run's new events
-- (p_checkpoints: [{ id, seq, events, fallback, ended }]), bumps their heartbeat, replaces their
-- fallback, marks the ended ones finished; then returns which of p_live (the instance's live
-- runs) must stop: someone asked, the run's row is gone (its conversation was deleted: nobody
-- may be billed for a reply nobody can see), or another instance marked it interrupted (this
-- one stalled past the stale window). Server only.
create function public.ai_chat_reply_tick(p_checkpoints jsonb, p_live uuid[])
returns setof uuid
language plpgsql
security invoker
set search_path = ''
as $$
begin
  if jsonb_array_length(coalesce(p_checkpoints, '[]'::jsonb)) > 0 then
    insert into public.ai_chat_reply_events (run_id, seq, events)
    select c.id, c.seq, c.events
      from jsonb_to_recordset(p_checkpoints) as c (id uuid, seq integer, events jsonb)
      join public.ai_chat_reply_runs r on r.id = c.id
     where c.events is not null and jsonb_array_length(c.events) > 0
    on conflict (run_id, seq) do nothing;

    update public.ai_chat_reply_runs r
       set heartbeat_at = now(),
           fallback = coalesce(c.fallback, r.fallback),
           state = case when c.ended then 'finished' else r.state end,
           ended_at = case when c.ended then now() else r.ended_at end
      from jsonb_to_recordset(p_checkpoints) as c (id uuid, fallback jsonb, ended boolean)
     where r.id = c.id and r.state = 'generating';
  end if;

  return query
    select l.id from unnest(coalesce(p_live, '{}'::uuid[])) as l (id)
     where not exists (
       select 1 from public.ai_chat_reply_runs r
        where r.id = l.id and r.state = 'generating' and r.stop_requested_at is null
     );
end
$$;
comment on function public.ai_chat_reply_tick is
  'Server only: one instance tick: appends checkpoints, bumps heartbeats, returns the runs that must stop.';

-- Asks for a reply of p_user_id's to stop. Returns its state ('generating' when the stop was
-- recorded, 'finished' or 'interrupted' when it had already ended), null when there is no such
-- run of this user's. Server only.
create function public.ai_chat_reply_request_stop(p_user_id uuid, p_id uuid)
returns text
language sql
security invoker
set search_path = ''
as $$
  with asked as (
    update public.ai_chat_reply_runs
       set stop_requested_at = coalesce(stop_requested_at, now())
     where id = p_id and user_id = p_user_id and state = 'generating'
    returning state
  )
  select coalesce(
    (select state from asked),
    (select state from public.ai_chat_reply_runs where id = p_id and user_id = p_user_id)
  )
$$;
comment on function public.ai_chat_reply_request_stop is
  'Server only: asks p_user_id''s reply to stop; returns its state.';

-- A run of p_user_id's and its event chunks after p_after_seq, as one JSON value; null when no
-- such run is kept (a finished run's events are kept for 60 s). Server only.
create function public.ai_chat_reply_read(p_user_id uuid, p_id uuid, p_after_seq integer default -1)
returns jsonb
language sql
stable
security invoker
set search_path = ''
as $$
  select jsonb_build_object(
    'id', r.id,
    'conversation_id', r.conversation_id,
    'parent_id', r.parent_id,
    'provider', r.provider,
    'model', r.model,
    'state', r.state,
    'started_at', r.started_at,
    'heartbeat_at', r.heartbeat_at,
    'stale_seconds', extract(epoch from now() - r.heartbeat_at),
    'settlement', r.fallback -> 'settlement',
    'chunks', coalesce((
      select jsonb_agg(jsonb_build_object('seq', e.seq, 'events', e.events) order by e.seq)
        from public.ai_chat_reply_events e
       where e.run_id = r.id and e.seq > p_after_seq
    ), '[]'::jsonb)
  )
    from public.ai_chat_reply_runs r
   where r.id = p_id and r.user_id = p_user_id
     and (r.state = 'generating' or r.ended_at > now() - interval '60 seconds')
$$;
comment on function public.ai_chat_reply_read is
  'Server only: p_user_id''s run and its event chunks after p_after_seq, as JSON.';

-- The runs of p_user_id's conversation still generating. Server only.
create function public.ai_chat_reply_generating(p_user_id uuid, p_conversation_id uuid)
returns table (id uuid, parent_id uuid, provider text, model text, started_at timestamptz)
language plpgsql
stable
set search_path = ''
as $$
begin
  return query
  select r.id, r.parent_id, r.provider, r.model, r.started_at
    from public.ai_chat_reply_runs r
   where r.conversation_id = p_conversation_id and r.user_id = p_user_id and r.state = 'generating'
   order by r.started_at;
end
$$;
comment on function public.ai_chat_reply_generating is
  'Server only: the runs of p_user_id''s conversation still generating.';

-- Marks interrupted every run still generating whose heartbeat is older than p_stale_seconds
-- (p_id: only that one), each in this one transaction: its fallback becomes the assistant
-- message (partial, error 'interrupted'; a Continue's is written over the reply it carries on),
-- its reservation is settled from the fallback (once:
-- the settle only touches a reservation still 'reserved'), and its state becomes interrupted.
-- Runs another sweeper holds are skipped. Also forgets ended runs' events after 60 s and their
-- rows after a day. Returns the ids it marked. Server only.
create function public.ai_chat_reply_sweep(p_stale_seconds integer, p_id uuid default null)
returns setof uuid
language plpgsql
security invoker
set search_path = ''
as $$
declare
  run public.ai_chat_reply_runs;
  message jsonb;
  settlement jsonb;
  continues uuid;
begin
  for run in
    select * from public.ai_chat_reply_runs r
     where r.state = 'generating'
       and r.heartbeat_at < now() - make_interval(secs => p_stale_seconds)
       and (p_id is null or r.id = p_id)
     for update skip locked
  loop
    message := run.fallback -> 'message';
    settlement := run.fallback -> 'settlement';
    continues := (run.fallback ->> 'continues')::uuid;
    if message is not null and continues is not null then
      -- A Continue's run: the reply it carries on takes the words written so far, partial.
      perform public.ai_chat_continue_message(
        p_user_id => run.user_id,
        p_message_id => continues,
        p_content => coalesce(message ->> 'content', ''),
        p_parts => message -> 'parts',
        p_status => 'partial',
        p_tokens => (message ->> 'tokens')::integer,
        p_cost => (message ->> 'cost')::numeric,
        p_metadata => coalesce(message -> 'metadata', '{}'::jsonb)
          || jsonb_build_object('error', jsonb_build_object('code', 'interrupted', 'message', 'The server stopped while writing this reply.'))
      );
    elsif message is not null and not exists (select 1 from public.ai_chat_messages m where m.id = run.id) then
      perform public.ai_chat_append_message(
        p_user_id => run.user_id,
        p_conversation_id => run.conversation_id,
        p_parent_id => run.parent_id,
        p_role => 'assistant',
        p_content => coalesce(message ->> 'content', ''),
        p_status => 'partial',
        p_provider => message ->> 'provider',
        p_model => message ->> 'model',
        p_tokens => (message ->> 'tokens')::integer,
        p_cost => (message ->> 'cost')::numeric,
        p_tool_calls => message -> 'toolCalls',
        p_tool_results => message -> 'toolResults',
        p_metadata => coalesce(message -> 'metadata', '{}'::jsonb)
          || jsonb_build_object('error', jsonb_build_object('code', 'interrupted', 'message', 'The server stopped while writing this reply.')),
        p_id => run.id,
        p_parts => message -> 'parts',
        p_expected_leaf => run.expected_leaf_id
      );
    end if;
    if settlement is not null and run.reservation_id is not null then
      perform public.ai_chat_settle_usage(
        p_reservation_id => run.reservation_id,
        p_provider => settlement ->> 'provider',
        p_model => settlement ->> 'model',
        p_prompt_tokens => (settlement ->> 'promptTokens')::integer,
        p_completion_tokens => (settlement ->> 'completionTokens')::integer,
        p_cached_prompt_tokens => coalesce((settlement ->> 'cachedPromptTokens')::integer, 0),
        p_cache_write_tokens => coalesce((settlement ->> 'cacheWriteTokens')::integer, 0),
        p_cost => (settlement ->> 'cost')::numeric,
        p_message_id => case when message is null then null else coalesce(continues, run.id) end,
        p_conversation_id => run.conversation_id
      );
    end if;
    update public.ai_chat_reply_runs set state = 'interrupted', ended_at = now() where id = run.id;
    return next run.id;
  end loop;

  if p_id is null then
    delete from public.ai_chat_reply_events e
     using public.ai_chat_reply_runs r
     where r.id = e.run_id and r.state <> 'generating' and r.ended_at < now() - interval '60 seconds';
    delete from public.ai_chat_reply_runs r
     where r.state <> 'generating' and r.ended_at < now() - interval '1 day';
  end if;
end
$$;
comment on function public.ai_chat_reply_sweep is
  'Server only: marks stale runs interrupted (saving their fallback and settling their hold) and forgets ended ones.';

-- =============================================================================================
-- Attachments
-- =============================================================================================
-- Files a user attaches to a message (images and PDFs), private to that user. With the Supabase
-- store the bytes live in Supabase Storage, bucket `ai-chat-attachments` (private), each under
-- its owner's folder: `<user id>/<file id>`; with the Postgres store in ai_chat_attachment_bytes
-- (several servers share the rows, not one another's disk); with the embedded store on its disk.
-- The rows hold what the server learnt from the bytes: type, size and page count are the
-- server's reading, never a client's claim. Deleting a conversation deletes its rows (cascade);
-- the server then deletes their objects.

create table public.ai_chat_attachments (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  -- Null until the file is sent with a message; then the conversation and the message carrying it.
  conversation_id uuid references public.ai_chat_conversations (id) on delete cascade,
  message_id uuid,
  media_type text not null
    -- Text files (plain text, Markdown, CSV, JSON, source code) are checked as UTF-8 and kept as text/plain.
    check (media_type in ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain')),
  name text not null check (char_length(name) between 1 and 255),
  size_bytes bigint not null check (size_bytes > 0),
  width integer check (width > 0),
  height integer check (height > 0),
  pages integer check (pages > 0),
  -- The object's name in the bucket: always the owner's folder and the file's own id.
  storage_path text not null unique,
  created_at timestamptz not null default now(),
  constraint ai_chat_attachments_path_is_owners check (storage_path = user_id::text || '/' || id::text),
  constraint ai_chat_attachments_sent_whole check ((conversation_id is null) = (message_id is null)),
  -- The message must sit in the same conversation (as a message's parent must).
  foreign key (conversation_id, message_id) references public.ai_chat_messages (conversation_id, id) on delete cascade
);
comment on table public.ai_chat_attachments is
  'Files a user attached (images, PDFs): what the server read from the bytes. Read by the owner, who may delete an unsent one; written only by the server.';

create index ai_chat_attachments_user_idx on public.ai_chat_attachments (user_id, created_at desc);
create index ai_chat_attachments_conversation_idx on public.ai_chat_attachments (conversation_id);

-- The bytes of uploaded files, for the Postgres store (the Supabase and embedded stores leave it
-- empty). The upload route refuses a file over its limits before anything is stored (5 MB per
-- image, 32 MB per PDF by default), far under bytea's 1 GB a value; a file is read and written
-- whole. Deleting the file's row deletes its bytes, in the same statement.
create table public.ai_chat_attachment_bytes (
  attachment_id uuid primary key references public.ai_chat_attachments (id) on delete cascade,
  data bytea not null
);
comment on table public.ai_chat_attachment_bytes is
  'Files'' bytes for the Postgres store (empty with the Supabase and embedded stores). The server''s alone.';

-- Images and PDFs are compressed already: stored out of line without another compression pass.
alter table public.ai_chat_attachment_bytes alter column data set storage external;

alter table public.ai_chat_attachments enable row level security;
-- RLS on, and no policy: no row is visible to or writable by any role that RLS applies to.
alter table public.ai_chat_attachment_bytes enable row level security;

-- Rows are the server's to write: a planted row could claim another type or point anywhere. The
-- bytes are the server's alone: it writes them with the row, and reads them only after the
-- user's own RLS-checked query found that row to be theirs; a user reads a file through it.
revoke all on public.ai_chat_attachments from anon, authenticated;
grant select, delete on public.ai_chat_attachments to authenticated;
grant all on public.ai_chat_attachments to service_role;
revoke all on public.ai_chat_attachment_bytes from public, anon, authenticated, service_role;
grant select, insert, delete on public.ai_chat_attachment_bytes to service_role;

-- A user reads their own files' rows, sent or not.
create policy "ai_chat_attachments: owner reads"
  on public.ai_chat_attachments for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_attachments: owner reads" on public.ai_chat_attachments is
  'A signed-in user reads the rows of their own files, sent or not; only the server writes them.';

-- A user deletes their own file before sending it (the remove button of the input). A sent one
-- is part of the conversation's history and goes when the conversation goes.
create policy "ai_chat_attachments: owner deletes an unsent file"
  on public.ai_chat_attachments for delete to authenticated
  using (user_id = (select auth.uid()) and message_id is null);
comment on policy "ai_chat_attachments: owner deletes an unsent file" on public.ai_chat_attachments is
  'A signed-in user deletes their own file before it is sent; a sent one goes with its conversation.';

-- Storage: a private bucket (no public URL; the bytes are read with the user's session or a
-- short-lived signed URL), each user confined to their own folder. Size and types as the upload
-- route allows (the route checks the bytes; Storage checks again).
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values (
  'ai-chat-attachments', 'ai-chat-attachments', false, 33554432,
  array['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']
)
on conflict (id) do nothing;

-- A user reads objects in their own folder only (downloads and signed URLs are made as them).
create policy "ai-chat-attachments: owner reads own folder"
  on storage.objects for select to authenticated
  using (bucket_id = 'ai-chat-attachments' and (storage.foldername(name))[1] = (select auth.uid()::text));
comment on policy "ai-chat-attachments: owner reads own folder" on storage.objects is
  'A signed-in user reads the ai-chat-attachments objects in their own folder only.';

-- A user uploads only into their own folder.
create policy "ai-chat-attachments: owner uploads into own folder"
  on storage.objects for insert to authenticated
  with check (bucket_id = 'ai-chat-attachments' and (storage.foldername(name))[1] = (select auth.uid()::text));
comment on policy "ai-chat-attachments: owner uploads into own folder" on storage.objects is
  'A signed-in user uploads ai-chat-attachments objects into their own folder only.';

-- A user deletes only objects in their own folder (an unsent file, a deleted conversation's files).
create policy "ai-chat-attachments: owner deletes own folder"
  on storage.objects for delete to authenticated
  using (bucket_id = 'ai-chat-attachments' and (storage.foldername(name))[1] = (select auth.uid()::text));
comment on policy "ai-chat-attachments: owner deletes own folder" on storage.objects is
  'A signed-in user deletes ai-chat-attachments objects in their own folder only.';

-- Records p_user_id's upload, whose bytes the server has checked and stored under
-- `<p_user_id>/<p_id>` (the table's check refuses any other path), if it fits: the user's
-- requests of the last minute (turns and uploads) must be fewer than p_max_requests_per_minute,
-- else SQLSTATE AC429 with the seconds until a slot frees in DETAIL; all the user's files (sent or
-- not) plus this one must take at most p_max_storage_bytes, else SQLSTATE AC413 with the bytes
-- already used in DETAIL. Null: no limit. Decided under the per-user advisory lock that
-- ai_chat_reserve_usage takes, so parallel uploads never pass the quota together.
create function public.ai_chat_create_attachment(
  p_user_id uuid,
  p_id uuid,
  p_media_type text,
  p_name text,
  p_size_bytes bigint,
  p_width integer default null,
  p_height integer default null,
  p_pages integer default null,
  p_max_storage_bytes bigint default null,
  p_max_requests_per_minute integer default null
) returns setof public.ai_chat_attachments
language plpgsql
security invoker
set search_path = ''
as $$
declare
  used_bytes bigint;
  recent_requests integer;
  oldest_recent timestamptz;
begin
  perform pg_advisory_xact_lock(hashtextextended('ai_chat_usage:' || p_user_id::text, 0));

  if p_max_requests_per_minute is not null then
    select r.recent, r.oldest into recent_requests, oldest_recent
    from public.ai_chat_recent_requests(p_user_id) r;
    if recent_requests >= p_max_requests_per_minute then
      raise exception 'too many requests in a minute' using errcode = 'AC429',
        detail = greatest(1, ceil(extract(epoch from (oldest_recent + interval '1 minute' - now())))::integer)::text;
    end if;
  end if;

  if p_max_storage_bytes is not null then
    select coalesce(sum(a.size_bytes), 0) into used_bytes
    from public.ai_chat_attachments a
    where a.user_id = p_user_id;
    if used_bytes + p_size_bytes > p_max_storage_bytes then
      raise exception 'storage quota reached' using errcode = 'AC413', detail = used_bytes::text;
    end if;
  end if;

  delete from public.ai_chat_upload_requests q
   where q.user_id = p_user_id and q.created_at <= now() - interval '1 minute';
  insert into public.ai_chat_upload_requests (user_id) values (p_user_id);

  return query
    insert into public.ai_chat_attachments (id, user_id, media_type, name, size_bytes, width, height, pages, storage_path)
    values (p_id, p_user_id, p_media_type, p_name, p_size_bytes, p_width, p_height, p_pages, p_user_id::text || '/' || p_id::text)
    returning *;
end
$$;
comment on function public.ai_chat_create_attachment is
  'Server only: records p_user_id''s upload, whose bytes the server checked, within the storage quota and the request rate.';

-- Binds p_user_id's files p_ids to the message that carries them, all or none. Each must be that
-- user's and unsent, or already in this conversation (an edit or a regenerate sends it again;
-- it stays bound to the message that first carried it). The message must be in the user's
-- conversation. A file that fails is named in the error's hint (SQLSTATE 42501).
create function public.ai_chat_attach_files(
  p_user_id uuid,
  p_ids uuid[],
  p_conversation_id uuid,
  p_message_id uuid
) returns setof public.ai_chat_attachments
language plpgsql
security invoker
set search_path = ''
as $$
declare
  refused uuid;
begin
  if coalesce(array_length(p_ids, 1), 0) > 100 then
    raise exception 'at most 100 files per message' using errcode = '22023';
  end if;
  perform 1
     from public.ai_chat_messages m
     join public.ai_chat_conversations c on c.id = m.conversation_id
    where m.id = p_message_id and m.conversation_id = p_conversation_id and c.user_id = p_user_id;
  if not found then
    raise exception 'message % is not in this user''s conversation', p_message_id using errcode = '42501';
  end if;

  select wanted into refused
    from unnest(p_ids) as wanted
   where not exists (
     select 1 from public.ai_chat_attachments a
      where a.id = wanted and a.user_id = p_user_id
        and (a.message_id is null or a.conversation_id = p_conversation_id))
   limit 1;
  if refused is not null then
    raise exception 'file % is not this user''s to attach', refused using errcode = '42501', hint = refused::text;
  end if;

  update public.ai_chat_attachments a
     set conversation_id = p_conversation_id, message_id = p_message_id
   where a.id = any(p_ids) and a.user_id = p_user_id and a.message_id is null;
  return query
    select a.* from public.ai_chat_attachments a
     where a.id = any(p_ids) and a.user_id = p_user_id and a.conversation_id = p_conversation_id
     order by array_position(p_ids, a.id);
end
$$;
comment on function public.ai_chat_attach_files is
  'Server only: binds p_user_id''s files to the message that carries them, all or none.';

-- =============================================================================================
-- Summaries and the reply cache
-- =============================================================================================

-- Rolling summaries, kept per branch point. A summary runs through one message and speaks for
-- every branch that contains that message, so switching branches back and forth reuses each
-- branch's summary instead of paying for it again.
create table public.ai_chat_summaries (
  conversation_id uuid not null references public.ai_chat_conversations (id) on delete cascade,
  through_message_id uuid not null,
  summary text not null check (char_length(summary) <= 20000),
  created_at timestamptz not null default now(),
  primary key (conversation_id, through_message_id)
);
comment on table public.ai_chat_summaries is
  'Rolling summaries per branch point. Read by the conversation''s owner, written only by the server.';

-- Replies to deterministic requests (temperature 0, same model and context), reused instead of
-- paying for the same answer twice. Off unless the app turns it on. Kept per user: a key is a
-- hash of that user's own context, and a user never reads another's.
create table public.ai_chat_response_cache (
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  key text not null check (char_length(key) = 64),
  provider text not null,
  model text not null,
  content text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (user_id, key)
);
comment on table public.ai_chat_response_cache is
  'Replies to deterministic requests, per user, reused until they expire. Read by their owner, written only by the server.';

-- The bounded sweep of expired cached replies reads them oldest first.
create index ai_chat_response_cache_expiry_idx on public.ai_chat_response_cache (expires_at);

alter table public.ai_chat_summaries enable row level security;
alter table public.ai_chat_response_cache enable row level security;
-- Both are the server's to write: they go into the model's prompt, or are served as a reply.
revoke all on public.ai_chat_summaries, public.ai_chat_response_cache from anon, authenticated;
grant select on public.ai_chat_summaries, public.ai_chat_response_cache to authenticated;
grant all on public.ai_chat_summaries, public.ai_chat_response_cache to service_role;

-- A user reads the summaries of their own conversations. Only the server writes them (it pays
-- for them, and they go into the model's prompt): no policy lets a user insert or change one.
create policy "ai_chat_summaries: owner reads"
  on public.ai_chat_summaries for select to authenticated
  using (exists (
    select 1 from public.ai_chat_conversations c where c.id = conversation_id and c.user_id = (select auth.uid())
  ));
comment on policy "ai_chat_summaries: owner reads" on public.ai_chat_summaries is
  'A signed-in user reads the summaries of their own conversations; only the server writes them.';

-- A user reads their own cached replies. Only the server writes them: a planted entry would be
-- served as an assistant reply.
create policy "ai_chat_response_cache: owner reads"
  on public.ai_chat_response_cache for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_response_cache: owner reads" on public.ai_chat_response_cache is
  'A signed-in user reads their own cached replies; only the server writes them (a planted entry would be served as a reply).';

-- Saves a summary of the user's conversation through a message of it. Server only.
create function public.ai_chat_save_summary(
  p_user_id uuid,
  p_conversation_id uuid,
  p_through_message_id uuid,
  p_summary text
) returns boolean
language sql
security invoker
set search_path = ''
as $$
  with saved as (
    insert into public.ai_chat_summaries (conversation_id, through_message_id, summary)
    select m.conversation_id, m.id, p_summary
      from public.ai_chat_messages m
      join public.ai_chat_conversations c on c.id = m.conversation_id
     where m.id = p_through_message_id and m.conversation_id = p_conversation_id and c.user_id = p_user_id
    on conflict (conversation_id, through_message_id) do update set summary = excluded.summary, created_at = now()
    returning 1
  )
  select exists (select 1 from saved)
$$;
comment on function public.ai_chat_save_summary is
  'Server only: saves a summary of p_user_id''s conversation through one of its messages.';

-- p_user_id's live cached reply under p_key; an expired one is deleted on the way.
create function public.ai_chat_read_cached_reply(p_user_id uuid, p_key text)
returns table (provider text, model text, content text)
language plpgsql
security invoker
set search_path = ''
as $$
begin
  delete from public.ai_chat_response_cache r where r.user_id = p_user_id and r.key = p_key and r.expires_at <= now();
  return query
    select r.provider, r.model, r.content
      from public.ai_chat_response_cache r
     where r.user_id = p_user_id and r.key = p_key and r.expires_at > now();
end
$$;
comment on function public.ai_chat_read_cached_reply is
  'Server only: p_user_id''s live cached reply under p_key (an expired one is deleted).';

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
  delete from public.ai_chat_response_cache r
   where (r.user_id, r.key) in (
     select e.user_id, e.key from public.ai_chat_response_cache e
      where e.expires_at <= now()
      order by e.expires_at
      limit 100
   );
  insert into public.ai_chat_response_cache as r (user_id, key, provider, model, content, created_at, expires_at)
  values (p_user_id, p_key, p_provider, p_model, p_content, now(), now() + make_interval(secs => p_ttl_seconds))
  on conflict (user_id, key) do update
     set provider = excluded.provider, model = excluded.model, content = excluded.content,
         created_at = excluded.created_at, expires_at = excluded.expires_at
   where r.expires_at <= now();
end
$$;
comment on function public.ai_chat_cache_reply is
  'Server only: caches a reply for p_ttl_seconds and sweeps up to 100 expired entries.';

-- =============================================================================================
-- Who may execute what
-- =============================================================================================
-- New functions are executable by PUBLIC by default (and Supabase's default privileges grant
-- anon and authenticated too): hand each only to whom it is for.

revoke execute on function
  public.ai_chat_touch_updated_at(),
  public.ai_chat_create_conversation(uuid, text, text, text, text, uuid),
  public.ai_chat_update_conversation(uuid, uuid, jsonb),
  public.ai_chat_append_message(uuid, uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid, jsonb, uuid),
  public.ai_chat_import_conversation(uuid, jsonb, jsonb, integer),
  public.ai_chat_branch(uuid, uuid),
  public.ai_chat_branch_siblings(uuid, uuid),
  public.ai_chat_newest_leaf(uuid, uuid),
  public.ai_chat_switch_branch(uuid, uuid),
  public.ai_chat_usage_totals_keep(),
  public.ai_chat_usage_in_windows(uuid, timestamptz),
  public.ai_chat_usage_summary(),
  public.ai_chat_recent_requests(uuid),
  public.ai_chat_reserve_usage(uuid, text, text, uuid, integer, numeric, bigint, numeric, integer, text),
  public.ai_chat_hold_usage(uuid, uuid, integer, numeric, bigint, numeric),
  public.ai_chat_settle_usage(uuid, text, text, integer, integer, integer, integer, numeric, uuid, uuid),
  public.ai_chat_record_usage(uuid, text, text, integer, integer, integer, integer, numeric, uuid, uuid),
  public.ai_chat_reply_start(uuid, uuid, uuid, uuid, text, text, uuid, uuid, jsonb),
  public.ai_chat_reply_tick(jsonb, uuid[]),
  public.ai_chat_reply_request_stop(uuid, uuid),
  public.ai_chat_reply_read(uuid, uuid, integer),
  public.ai_chat_reply_generating(uuid, uuid),
  public.ai_chat_reply_sweep(integer, uuid),
  public.ai_chat_create_attachment(uuid, uuid, text, text, bigint, integer, integer, integer, bigint, integer),
  public.ai_chat_attach_files(uuid, uuid[], uuid, uuid),
  public.ai_chat_save_summary(uuid, uuid, uuid, text),
  public.ai_chat_read_cached_reply(uuid, text),
  public.ai_chat_cache_reply(uuid, text, text, text, text, integer)
  from public, anon, authenticated;

-- The user's own: they take no user id and run under RLS.
grant execute on function
  public.ai_chat_branch(uuid, uuid),
  public.ai_chat_branch_siblings(uuid, uuid),
  public.ai_chat_newest_leaf(uuid, uuid),
  public.ai_chat_switch_branch(uuid, uuid),
  public.ai_chat_usage_summary()
  to authenticated, service_role;

-- The server's: each takes the user id from the server's verified session, or acts for every user.
grant execute on function
  public.ai_chat_create_conversation(uuid, text, text, text, text, uuid),
  public.ai_chat_update_conversation(uuid, uuid, jsonb),
  public.ai_chat_append_message(uuid, uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid, jsonb, uuid),
  public.ai_chat_import_conversation(uuid, jsonb, jsonb, integer),
  public.ai_chat_usage_in_windows(uuid, timestamptz),
  public.ai_chat_recent_requests(uuid),
  public.ai_chat_reserve_usage(uuid, text, text, uuid, integer, numeric, bigint, numeric, integer, text),
  public.ai_chat_hold_usage(uuid, uuid, integer, numeric, bigint, numeric),
  public.ai_chat_settle_usage(uuid, text, text, integer, integer, integer, integer, numeric, uuid, uuid),
  public.ai_chat_record_usage(uuid, text, text, integer, integer, integer, integer, numeric, uuid, uuid),
  public.ai_chat_reply_start(uuid, uuid, uuid, uuid, text, text, uuid, uuid, jsonb),
  public.ai_chat_reply_tick(jsonb, uuid[]),
  public.ai_chat_reply_request_stop(uuid, uuid),
  public.ai_chat_reply_read(uuid, uuid, integer),
  public.ai_chat_reply_generating(uuid, uuid),
  public.ai_chat_reply_sweep(integer, uuid),
  public.ai_chat_create_attachment(uuid, uuid, text, text, bigint, integer, integer, integer, bigint, integer),
  public.ai_chat_attach_files(uuid, uuid[], uuid, uuid),
  public.ai_chat_save_summary(uuid, uuid, uuid, text),
  public.ai_chat_read_cached_reply(uuid, text),
  public.ai_chat_cache_reply(uuid, text, text, text, text, integer)
  to service_role;

-- =============================================================================================
-- The branch a turn reads: its newest part only
-- =============================================================================================
-- A turn sends the model only the newest messages that fit its context window, so it needs only
-- those: ai_chat_branch read every message of a 2,000-message conversation (and the server parsed
-- them all) to keep a few hundred. This reads the branch from the leaf up, as ai_chat_branch does,
-- and stops at the first message whose stored token count brings the sum past p_max_tokens (that
-- one included, so the caller sees where the window ends). Stored counts never exceed what the
-- context fitting counts for a message (a missing count counts 0), so nothing the fitting could
-- keep is left out. Root first, whole rows; runs as the caller, so RLS decides.
create function public.ai_chat_branch_tail(p_conversation_id uuid, p_leaf_id uuid, p_max_tokens bigint)
returns setof public.ai_chat_messages
language plpgsql
stable
set search_path = ''
as $$
begin
  -- `union` with the running sum: a cycle planted before the constraints ends after one lap (its
  -- rows repeat when they count nothing) or at p_max_tokens (the sum grows when they do).
  return query
  with recursive chain (conversation_id, id, parent_id, total) as (
    select m.conversation_id, m.id, m.parent_id, coalesce(m.tokens, 0)::bigint
      from public.ai_chat_messages m
      join public.ai_chat_conversations c on c.id = m.conversation_id
     where c.id = p_conversation_id
       and m.id = coalesce(p_leaf_id, c.active_leaf_id)
    union
    select m.conversation_id, m.id, m.parent_id, b.total + coalesce(m.tokens, 0)
      from chain b
      join public.ai_chat_messages m on m.conversation_id = b.conversation_id and m.id = b.parent_id
     where b.total <= p_max_tokens
  )
  select m.*
    from public.ai_chat_messages m
   where m.conversation_id = p_conversation_id
     and m.id in (select chain.id from chain)
   order by m.created_at, m.id;
end
$$;
comment on function public.ai_chat_branch_tail is
  'The caller''s branch ending at p_leaf_id (or the shown leaf), from the leaf up until the stored token counts pass p_max_tokens, root first; RLS decides.';

revoke execute on function public.ai_chat_branch_tail(uuid, uuid, bigint) from public, anon, authenticated;
grant execute on function public.ai_chat_branch_tail(uuid, uuid, bigint) to authenticated, service_role;

-- =============================================================================================
-- Tool approvals
-- =============================================================================================
-- A tool call that needs a person's approval pauses its reply until they answer, from any tab
-- or instance. The pending call is a row here: the generating server writes it and waits on it;
-- the person's answer (a request of its own, checked by the server against this user's reply)
-- moves it out of 'pending' exactly once; a wait that runs out marks it 'expired' (the model is
-- told it was declined). Only the server writes these rows; a user may read their own.

create table public.ai_chat_tool_approvals (
  id uuid primary key,
  -- The reply run the call belongs to (the assistant message's id).
  reply_id uuid not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  conversation_id uuid not null references public.ai_chat_conversations (id) on delete cascade,
  tool_call_id text not null,
  tool_name text not null,
  args jsonb not null default '{}'::jsonb,
  state text not null default 'pending' check (state in ('pending', 'approved', 'denied', 'expired')),
  requested_at timestamptz not null default now(),
  -- After this no answer is taken (the server that waits may time it out sooner, by its clock).
  expires_at timestamptz not null,
  answered_at timestamptz,
  unique (reply_id, tool_call_id)
);
comment on table public.ai_chat_tool_approvals is
  'Tool calls waiting for (or given) a person''s approval. Read by their owner, written only by the server.';

create index ai_chat_tool_approvals_reply on public.ai_chat_tool_approvals (reply_id);

alter table public.ai_chat_tool_approvals enable row level security;
revoke all on public.ai_chat_tool_approvals from anon, authenticated;
grant select on public.ai_chat_tool_approvals to authenticated;
grant all on public.ai_chat_tool_approvals to service_role;

-- A user reads their own approvals (what a tool asked, what they answered). Nobody but the
-- server's functions writes them: an answer goes through the server, which checks it.
create policy "ai_chat_tool_approvals: owner reads"
  on public.ai_chat_tool_approvals for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_tool_approvals: owner reads" on public.ai_chat_tool_approvals is
  'A signed-in user reads their own tool approvals; only the server writes them.';

-- Records a pending tool call of p_user_id's reply, in p_user_id's conversation, open for
-- p_timeout_seconds. False when the conversation is not theirs (or the call is already recorded).
-- Server only.
create function public.ai_chat_tool_approval_request(
  p_user_id uuid,
  p_id uuid,
  p_reply_id uuid,
  p_conversation_id uuid,
  p_tool_call_id text,
  p_tool_name text,
  p_args jsonb,
  p_timeout_seconds integer
) returns boolean
language plpgsql
security invoker
set search_path = ''
as $$
begin
  insert into public.ai_chat_tool_approvals (id, reply_id, user_id, conversation_id, tool_call_id, tool_name, args, expires_at)
  select p_id, p_reply_id, p_user_id, c.id, p_tool_call_id, p_tool_name, coalesce(p_args, '{}'::jsonb),
         now() + make_interval(secs => greatest(p_timeout_seconds, 1))
    from public.ai_chat_conversations c
   where c.id = p_conversation_id and c.user_id = p_user_id
  on conflict do nothing;
  return found;
end
$$;
comment on function public.ai_chat_tool_approval_request is
  'Server only: records a tool call of p_user_id''s reply that waits for their approval.';

-- The person's answer to approval p_id of their reply p_reply_id. Returns 'approved' or 'denied'
-- when this answer was recorded; the approval's state when it was not pending any more (answered
-- before, expired, or its reply ended: 'expired'); null when there is no such approval of this
-- user's reply. Server only.
create function public.ai_chat_tool_approval_answer(p_user_id uuid, p_reply_id uuid, p_id uuid, p_approved boolean)
returns text
language sql
security invoker
set search_path = ''
as $$
  with answered as (
    update public.ai_chat_tool_approvals a
       set state = case when p_approved then 'approved' else 'denied' end,
           answered_at = now()
     where a.id = p_id and a.reply_id = p_reply_id and a.user_id = p_user_id
       and a.state = 'pending' and a.expires_at > now()
       and not exists (
         select 1 from public.ai_chat_reply_runs r where r.id = p_reply_id and r.state <> 'generating'
       )
    returning a.state
  )
  select coalesce(
    (select state from answered),
    (select case when a.state = 'pending' then 'expired' else a.state end
       from public.ai_chat_tool_approvals a
      where a.id = p_id and a.reply_id = p_reply_id and a.user_id = p_user_id)
  )
$$;
comment on function public.ai_chat_tool_approval_answer is
  'Server only: p_user_id''s answer to a pending tool approval of their reply; returns the approval''s state.';

-- The state of approval p_id (what the waiting server polls). Server only.
create function public.ai_chat_tool_approval_state(p_id uuid)
returns text
language sql
stable
security invoker
set search_path = ''
as $$
  select state from public.ai_chat_tool_approvals where id = p_id
$$;
comment on function public.ai_chat_tool_approval_state is
  'Server only: the state of a tool approval, for the server waiting on it.';

-- Closes approval p_id unanswered (its wait ran out, or its reply stopped) unless an answer
-- landed first; returns the final state. Server only.
create function public.ai_chat_tool_approval_expire(p_id uuid)
returns text
language sql
security invoker
set search_path = ''
as $$
  with expired as (
    update public.ai_chat_tool_approvals set state = 'expired', answered_at = now()
     where id = p_id and state = 'pending'
    returning state
  )
  select coalesce((select state from expired), (select state from public.ai_chat_tool_approvals where id = p_id))
$$;
comment on function public.ai_chat_tool_approval_expire is
  'Server only: closes an unanswered tool approval; returns its final state.';

revoke execute on function
  public.ai_chat_tool_approval_request(uuid, uuid, uuid, uuid, text, text, jsonb, integer),
  public.ai_chat_tool_approval_answer(uuid, uuid, uuid, boolean),
  public.ai_chat_tool_approval_state(uuid),
  public.ai_chat_tool_approval_expire(uuid)
  from public, anon, authenticated;

-- The server's: each takes the user id from the server's verified session, or acts on its own wait.
grant execute on function
  public.ai_chat_tool_approval_request(uuid, uuid, uuid, uuid, text, text, jsonb, integer),
  public.ai_chat_tool_approval_answer(uuid, uuid, uuid, boolean),
  public.ai_chat_tool_approval_state(uuid),
  public.ai_chat_tool_approval_expire(uuid)
  to service_role;

-- =============================================================================================
-- Search
-- =============================================================================================
-- Words are indexed with the `simple` configuration: no stemming and no stop words, so it works
-- alike in every language and exists on Supabase, PostgreSQL and PGlite. Each user and assistant
-- message's words are kept in a table of their own, beside the message, with its owner: a search
-- reads only the words (ranking a stored vector, never re-parsing the text), a message read
-- never carries them, and RLS there is one column compare. A message's first 50,000 characters
-- are indexed: to_tsvector refuses a vector over 1 MB, and a failing index would refuse the
-- message itself.
create table public.ai_chat_message_words (
  message_id uuid primary key,
  conversation_id uuid not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null,
  words tsvector not null,
  foreign key (conversation_id, message_id) references public.ai_chat_messages (conversation_id, id) on delete cascade
);
-- fastupdate off: a pending list of new entries is read whole by every search until a vacuum
-- merges it, and the embedded store never runs one (at 10,000 fresh messages: ~30 ms a search).
create index ai_chat_message_words_idx on public.ai_chat_message_words using gin (words) with (fastupdate = off);
-- A word in most of a user's messages is found faster by walking their newest messages than
-- through the word's long list in the GIN index: the planner picks, by the word's statistics.
create index ai_chat_message_words_user_time_idx on public.ai_chat_message_words (user_id, created_at desc);
comment on table public.ai_chat_message_words is
  'The words of each user and assistant message, for search; kept by a trigger on ai_chat_messages, read by their owner under RLS.';
create index ai_chat_conversations_search_idx on public.ai_chat_conversations
  using gin (to_tsvector('simple'::regconfig, title));

alter table public.ai_chat_message_words enable row level security;
revoke all on public.ai_chat_message_words from public, anon, authenticated;
grant select on public.ai_chat_message_words to authenticated;
grant all on public.ai_chat_message_words to service_role;

-- A user searches only the words of their own messages.
create policy "ai_chat_message_words: owner reads"
  on public.ai_chat_message_words for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_message_words: owner reads" on public.ai_chat_message_words is
  'A signed-in user reads (searches) the words of their own messages, no one else''s.';

-- Keeps a message's words whoever writes it (the server's functions, an import). Security
-- definer: the row's owner comes from the conversation, not from the writer.
create function public.ai_chat_index_message_words() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.role not in ('user', 'assistant') then
    return null;
  end if;
  insert into public.ai_chat_message_words as w (message_id, conversation_id, user_id, created_at, words)
  select new.id, new.conversation_id, c.user_id, new.created_at, to_tsvector('simple'::regconfig, left(new.content, 50000))
    from public.ai_chat_conversations c
   where c.id = new.conversation_id
  on conflict on constraint ai_chat_message_words_pkey do update set words = excluded.words;
  return null;
end
$$;
comment on function public.ai_chat_index_message_words is
  'Trigger: keeps ai_chat_message_words in step with a message''s text.';

create trigger ai_chat_messages_index_words
  after insert or update of content on public.ai_chat_messages
  for each row execute function public.ai_chat_index_message_words();

-- The caller's conversations (by title) and messages (by words, in any branch) that hold every
-- term as a word or a word's start, best first, with a snippet whose matching words sit between
-- chr(2) and chr(3) (both removed from the text first, so only the markers are markers). The
-- terms are words the server split out of what was typed; each is quoted into the query as one
-- lexeme, so nothing typed is ever read as query syntax. A one-character term matches whole
-- words only (as a prefix it would match nearly everything). Of messages, the newest 1,000
-- matches are ranked: a word found in nearly every message costs no more than that. Runs as the
-- caller: RLS decides.
create function public.ai_chat_search(p_terms text[], p_limit integer default 20)
returns table (
  kind text,
  conversation_id uuid,
  conversation_title text,
  message_id uuid,
  role text,
  snippet text,
  rank real,
  created_at timestamptz
)
language plpgsql
stable
security invoker
set search_path = ''
-- Postgres cannot estimate how many words a prefix matches, and for a rare one it guessed a
-- scan of every vector (23 ms at 10,000 messages on PGlite, for no match at all) over the GIN
-- index. Off for this function only: the planner still picks between the GIN index and the
-- newest-first walk of the user's messages (a word in most of them).
set enable_seqscan = off
as $$
declare
  q tsquery;
  term text;
  lexeme text;
  wanted integer := least(greatest(coalesce(p_limit, 20), 1), 50);
begin
  foreach term in array coalesce(p_terms[1:8], '{}'::text[]) loop
    term := left(coalesce(term, ''), 64);
    continue when term = '';
    lexeme := '''' || replace(replace(term, '\', '\\'), '''', '''''') || '''' || case when char_length(term) > 1 then ':*' else '' end;
    q := case when q is null then to_tsquery('simple'::regconfig, lexeme) else q && to_tsquery('simple'::regconfig, lexeme) end;
  end loop;
  if q is null or numnode(q) = 0 then
    return;
  end if;
  return query
  with recent as (
    select w.message_id, w.conversation_id, w.created_at, w.words
      from public.ai_chat_message_words w
     where w.words @@ q
       and w.user_id = (select auth.uid())
     order by w.created_at desc
     limit 1000
  ), ranked as (
    select r.message_id, r.conversation_id, r.created_at, ts_rank(r.words, q) as rank
      from recent r
     order by rank desc, r.created_at desc
     limit wanted
  ), hits as (
    select 'message'::text as kind, m.conversation_id, c.title as conversation_title, m.id as message_id, m.role,
           m.content as body, m.created_at, x.rank
      from ranked x
      join public.ai_chat_messages m on m.conversation_id = x.conversation_id and m.id = x.message_id
      join public.ai_chat_conversations c on c.id = m.conversation_id
    union all
    select 'title'::text, c.id, c.title, null::uuid, null::text, c.title, c.last_message_at,
           -- A title names the whole chat: it outranks a passing mention in one message.
           (ts_rank(to_tsvector('simple'::regconfig, c.title), q) * 2)::real
      from public.ai_chat_conversations c
     where to_tsvector('simple'::regconfig, c.title) @@ q
       and c.user_id = (select auth.uid())
  ), top as (
    select * from hits h order by h.rank desc, h.created_at desc limit wanted
  )
  select t.kind, t.conversation_id, t.conversation_title, t.message_id, t.role,
         ts_headline('simple'::regconfig, translate(left(t.body, 50000), chr(2) || chr(3), ''), q,
           'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … "'),
         t.rank, t.created_at
    from top t
   order by t.rank desc, t.created_at desc;
end
$$;
comment on function public.ai_chat_search(text[], integer) is
  'The caller''s chats and messages (all branches) holding every term (prefixes), ranked, with marked snippets. Runs as the caller, under RLS.';

-- =============================================================================================
-- Share links
-- =============================================================================================
-- A read-only copy of a conversation's shown branch as it stood when shared: the questions and
-- replies (text, reasoning and refusals; files only if the owner chose; model names, tokens and
-- costs only if the owner chose). A copy, not a reference: later turns, edits and branch flips
-- never show through, and nothing leaves the conversation the owner did not share. One link per
-- conversation; sharing again refreshes the copy under the same link; revoking deletes the row.
-- The id is 32 random bytes (two v4 UUIDs' 244 random bits) in base64url: never guessed.
create table public.ai_chat_shares (
  id text primary key check (id ~ '^[A-Za-z0-9_-]{32,64}$'),
  conversation_id uuid not null unique references public.ai_chat_conversations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  title text not null,
  messages jsonb not null check (jsonb_typeof(messages) = 'array'),
  show_models boolean not null default false,
  show_files boolean not null default false,
  created_at timestamptz not null default now()
);
comment on table public.ai_chat_shares is
  'Share links: a snapshot of a conversation''s shown branch. The owner sees and revokes theirs; anyone with the id reads it through ai_chat_share_read only.';

alter table public.ai_chat_shares enable row level security;
revoke all on public.ai_chat_shares from public, anon, authenticated;
grant select, delete on public.ai_chat_shares to authenticated;
grant all on public.ai_chat_shares to service_role;

-- The owner sees whether their conversation has a link (and its id).
create policy "ai_chat_shares: owner reads"
  on public.ai_chat_shares for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_shares: owner reads" on public.ai_chat_shares is
  'A signed-in user sees their own share links, no one else''s.';

-- The owner revokes their link: the row goes, and the link answers 404 at once.
create policy "ai_chat_shares: owner revokes"
  on public.ai_chat_shares for delete to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_shares: owner revokes" on public.ai_chat_shares is
  'A signed-in user revokes (deletes) their own share links.';

-- Shares p_user_id's conversation as its shown branch stands now; no row when it is not theirs.
create function public.ai_chat_share_create(
  p_user_id uuid,
  p_conversation_id uuid,
  p_show_models boolean default false,
  p_show_files boolean default false
) returns table (id text, conversation_id uuid, show_models boolean, show_files boolean, created_at timestamptz)
language plpgsql
set search_path = ''
as $$
declare
  chat_title text;
  snapshot jsonb;
begin
  select c.title into chat_title
    from public.ai_chat_conversations c
   where c.id = p_conversation_id and c.user_id = p_user_id;
  if not found then
    return;
  end if;
  select coalesce(jsonb_agg(jsonb_build_object(
           'role', m.role,
           'content', m.content,
           'status', m.status,
           'createdAt', m.created_at,
           'parts', (select coalesce(jsonb_agg(p.part order by p.ord), '[]'::jsonb)
                       from jsonb_array_elements(coalesce(m.parts, '[]'::jsonb)) with ordinality as p(part, ord)
                      where p.part ->> 'type' in ('text', 'reasoning', 'refusal')
                         or (p_show_files and p.part ->> 'type' = 'file')),
           'model', case when p_show_models then m.model end,
           'tokens', case when p_show_models then m.tokens end,
           'cost', case when p_show_models then m.cost::text end
         ) order by m.created_at, m.id), '[]'::jsonb)
    into snapshot
    from public.ai_chat_branch(p_conversation_id, null) m
   where m.role in ('user', 'assistant');
  return query
  insert into public.ai_chat_shares as s (id, conversation_id, user_id, title, messages, show_models, show_files)
  values (
    translate(encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'), 'base64'), '+/=', '-_'),
    p_conversation_id, p_user_id, chat_title, snapshot, p_show_models, p_show_files
  )
  on conflict on constraint ai_chat_shares_conversation_id_key do update
     set title = excluded.title, messages = excluded.messages, show_models = excluded.show_models,
         show_files = excluded.show_files, created_at = now()
  returning s.id, s.conversation_id, s.show_models, s.show_files, s.created_at;
end
$$;
comment on function public.ai_chat_share_create(uuid, uuid, boolean, boolean) is
  'Server only: shares p_user_id''s conversation (its shown branch, copied now) or refreshes its link''s copy; no row when not theirs.';

-- The one snapshot under p_share_id, for anyone holding the link (signed in or not): the only
-- way to a share's rows without owning them. Security definer so anon needs no grant on any
-- table; it reads one row by its exact id and returns only what the snapshot holds.
create function public.ai_chat_share_read(p_share_id text)
returns table (title text, messages jsonb, show_models boolean, show_files boolean, created_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_share_id is null or p_share_id !~ '^[A-Za-z0-9_-]{32,64}$' then
    return;
  end if;
  return query
  select s.title, s.messages, s.show_models, s.show_files, s.created_at
    from public.ai_chat_shares s
   where s.id = p_share_id;
end
$$;
comment on function public.ai_chat_share_read(text) is
  'Anyone with a share link: that link''s snapshot (title and copied messages) and nothing else; no row when unknown or revoked.';

-- =============================================================================================
-- Feedback
-- =============================================================================================
-- A thumbs up or down on an assistant reply, with an optional short comment; one per reply,
-- changed in place, gone with the reply. The owner writes it only through ai_chat_set_feedback,
-- which takes who they are from their JWT: no user inserts or updates a row of it directly.
create table public.ai_chat_feedback (
  message_id uuid primary key,
  conversation_id uuid not null,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  rating text not null check (rating in ('up', 'down')),
  comment text check (char_length(comment) <= 1000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (conversation_id, message_id) references public.ai_chat_messages (conversation_id, id) on delete cascade
);
create index ai_chat_feedback_conversation_idx on public.ai_chat_feedback (conversation_id);
comment on table public.ai_chat_feedback is
  'Thumbs up or down (and a comment) on assistant replies; each user''s own, written and read under RLS.';

alter table public.ai_chat_feedback enable row level security;
revoke all on public.ai_chat_feedback from public, anon, authenticated;
grant select, delete on public.ai_chat_feedback to authenticated;
grant all on public.ai_chat_feedback to service_role;

-- A user reads their own feedback.
create policy "ai_chat_feedback: owner reads"
  on public.ai_chat_feedback for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_feedback: owner reads" on public.ai_chat_feedback is
  'A signed-in user reads their own feedback, no one else''s.';

-- A user clears their own feedback.
create policy "ai_chat_feedback: owner clears"
  on public.ai_chat_feedback for delete to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_feedback: owner clears" on public.ai_chat_feedback is
  'A signed-in user removes their own feedback.';

-- Sets (or with a null rating clears) the caller's feedback on one of their assistant replies
-- and returns it (rating null: cleared); no row when the reply is not the caller's or not a reply.
-- Security definer, so no user needs a write grant on the table: who the caller is comes from
-- their JWT (auth.uid()), and the reply must be in one of their conversations.
create function public.ai_chat_set_feedback(p_message_id uuid, p_rating text, p_comment text default null)
returns table (message_id uuid, conversation_id uuid, rating text, comment text, updated_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  reply record;
begin
  if caller is null then
    return;
  end if;
  select m.id, m.conversation_id into reply
    from public.ai_chat_messages m
    join public.ai_chat_conversations c on c.id = m.conversation_id
   where m.id = p_message_id and m.role = 'assistant' and c.user_id = caller;
  if not found then
    return;
  end if;
  if p_rating is null then
    delete from public.ai_chat_feedback f where f.message_id = p_message_id and f.user_id = caller;
    return query select reply.id, reply.conversation_id, null::text, null::text, now();
    return;
  end if;
  return query
  insert into public.ai_chat_feedback as f (message_id, conversation_id, user_id, rating, comment)
  values (reply.id, reply.conversation_id, caller, p_rating, nullif(p_comment, ''))
  on conflict on constraint ai_chat_feedback_pkey do update
     set rating = excluded.rating, comment = excluded.comment, updated_at = now()
  returning f.message_id, f.conversation_id, f.rating, f.comment, f.updated_at;
end
$$;
comment on function public.ai_chat_set_feedback(uuid, text, text) is
  'Sets or (null rating) clears the caller''s feedback on their own assistant reply; no row when not theirs. The caller is the JWT''s user.';

-- =============================================================================================
-- Who may execute what
-- =============================================================================================
revoke execute on function
  public.ai_chat_index_message_words(),
  public.ai_chat_search(text[], integer),
  public.ai_chat_share_create(uuid, uuid, boolean, boolean),
  public.ai_chat_share_read(text),
  public.ai_chat_set_feedback(uuid, text, text)
  from public, anon, authenticated;

-- The user's own: they take no user id; the caller is the JWT's user.
grant execute on function
  public.ai_chat_search(text[], integer),
  public.ai_chat_set_feedback(uuid, text, text)
  to authenticated, service_role;

-- The server's: takes the user id from the server's verified session.
grant execute on function public.ai_chat_share_create(uuid, uuid, boolean, boolean) to service_role;

-- Anyone with a link, signed in or not.
grant execute on function public.ai_chat_share_read(text) to anon, authenticated, service_role;

-- =============================================================================================
-- Titles written by a model, and Continue (issue 20, points 1 and 8)
-- =============================================================================================

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
  update public.ai_chat_conversations c set last_message_at = date_trunc('milliseconds', now()) where c.id = continued.conversation_id;
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
