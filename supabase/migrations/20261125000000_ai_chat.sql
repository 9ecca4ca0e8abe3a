-- ai-chat: conversations, messages (a tree, so edits and regenerations branch) and token usage,
-- all under row-level security.
--
-- Apply to a Supabase project with `supabase db push`. The same file runs unchanged on plain
-- PostgreSQL and on the embedded PGlite store after ../local/auth.sql (never on Supabase).
--
-- Who may do what:
--   * a signed-in user (role `authenticated`) reads and writes their own conversations, reads and
--     appends messages in them, and reads their own usage rows; nothing of anyone else's;
--   * nobody but the server (role `service_role`) writes usage: limits would be forgeable otherwise;
--   * `anon` has no access at all.

-- ---------------------------------------------------------------------------------------------
-- Tables
-- ---------------------------------------------------------------------------------------------

create table public.conversations (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  title text not null default 'New chat' check (char_length(title) between 1 and 200),
  system_prompt text check (char_length(system_prompt) <= 32000),
  provider text not null check (char_length(provider) between 1 and 64),
  model text not null check (char_length(model) between 1 and 128),
  -- Rolling summary of the turns that fell out of the context window, and the last message it covers.
  summary text,
  summary_through_message_id uuid,
  -- The leaf of the branch the user is looking at; null until the first message.
  active_leaf_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.messages (
  id uuid primary key default gen_random_uuid(),
  conversation_id uuid not null references public.conversations (id) on delete cascade,
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
  unique (conversation_id, id),
  -- A parent must sit in the same conversation, so a branch can never reach into another
  -- user's tree (foreign keys are checked without RLS, the conversation check is not).
  foreign key (conversation_id, parent_id)
    references public.messages (conversation_id, id) on delete cascade
);

-- The active leaf must be a message of the same conversation; deleting it clears the pointer.
alter table public.conversations
  add constraint conversations_active_leaf_fkey
  foreign key (id, active_leaf_id)
  references public.messages (conversation_id, id)
  on delete set null (active_leaf_id);

create table public.ai_usage (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  -- Usage outlives the conversation: deleting a chat must not give the tokens back.
  conversation_id uuid references public.conversations (id) on delete set null,
  message_id uuid,
  provider text not null,
  model text not null,
  prompt_tokens integer not null default 0 check (prompt_tokens >= 0),
  completion_tokens integer not null default 0 check (completion_tokens >= 0),
  cached_prompt_tokens integer not null default 0 check (cached_prompt_tokens >= 0),
  total_tokens integer generated always as (prompt_tokens + completion_tokens) stored,
  -- Dollars, exact. Null when the model has no known price.
  cost numeric(20, 10) check (cost >= 0),
  -- reserved: an estimate held while a reply is produced; settled: what the provider billed.
  status text not null default 'settled' check (status in ('reserved', 'settled')),
  created_at timestamptz not null default now(),
  settled_at timestamptz
);

-- Replies to deterministic requests (temperature 0, same model and context), reused instead of
-- paying for the same answer twice. Off unless the app turns it on. Kept per user: a key is a
-- hash of that user's own context, and a user never reads another's.
create table public.ai_response_cache (
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  key text not null check (char_length(key) = 64),
  provider text not null,
  model text not null,
  content text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (user_id, key)
);

-- ---------------------------------------------------------------------------------------------
-- Indexes for the hot reads
-- ---------------------------------------------------------------------------------------------

create index conversations_user_recent_idx on public.conversations (user_id, updated_at desc);
create index messages_conversation_order_idx on public.messages (conversation_id, created_at, id);
create index messages_children_idx on public.messages (conversation_id, parent_id);
create index ai_usage_user_time_idx on public.ai_usage (user_id, created_at);

-- ---------------------------------------------------------------------------------------------
-- updated_at kept by the database, whoever writes
-- ---------------------------------------------------------------------------------------------

create function public.ai_chat_touch_updated_at() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

create trigger conversations_touch_updated_at
  before update on public.conversations
  for each row execute function public.ai_chat_touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- Row-level security
-- ---------------------------------------------------------------------------------------------

alter table public.conversations enable row level security;
alter table public.messages enable row level security;
alter table public.ai_usage enable row level security;
alter table public.ai_response_cache enable row level security;

-- Defence in depth under the policies: anon gets nothing, users can only read usage.
revoke all on public.conversations, public.messages, public.ai_usage from anon;
revoke insert, update, delete, truncate on public.ai_usage from authenticated;
revoke update, truncate on public.messages from authenticated;
revoke truncate on public.conversations from authenticated;
grant select, insert, update, delete on public.conversations to authenticated;
grant select, insert, delete on public.messages to authenticated;
grant select on public.ai_usage to authenticated;
grant all on public.conversations, public.messages, public.ai_usage to service_role;
revoke all on public.ai_response_cache from anon;
revoke update, truncate on public.ai_response_cache from authenticated;
grant select, insert, delete on public.ai_response_cache to authenticated;
grant all on public.ai_response_cache to service_role;

-- A user sees only their own conversations.
create policy "conversations: owner reads"
  on public.conversations for select to authenticated
  using (user_id = (select auth.uid()));

-- A user creates conversations only for themselves.
create policy "conversations: owner creates"
  on public.conversations for insert to authenticated
  with check (user_id = (select auth.uid()));

-- A user edits their own conversations (title, system prompt, active branch) and cannot give
-- one away.
create policy "conversations: owner updates"
  on public.conversations for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- A user deletes their own conversations; their messages go with them.
create policy "conversations: owner deletes"
  on public.conversations for delete to authenticated
  using (user_id = (select auth.uid()));

-- A user reads the messages of their own conversations.
create policy "messages: conversation owner reads"
  on public.messages for select to authenticated
  using (exists (
    select 1 from public.conversations c
    where c.id = messages.conversation_id and c.user_id = (select auth.uid())
  ));

-- A user appends messages only to their own conversations (the parent foreign key keeps the
-- branch inside that conversation).
create policy "messages: conversation owner appends"
  on public.messages for insert to authenticated
  with check (exists (
    select 1 from public.conversations c
    where c.id = messages.conversation_id and c.user_id = (select auth.uid())
  ));

-- A user may prune a branch of their own conversation. Messages are never edited in place:
-- an edit is a new branch.
create policy "messages: conversation owner deletes"
  on public.messages for delete to authenticated
  using (exists (
    select 1 from public.conversations c
    where c.id = messages.conversation_id and c.user_id = (select auth.uid())
  ));

-- A user reads their own usage. No policy lets a user insert, update or delete it.
create policy "ai_usage: owner reads"
  on public.ai_usage for select to authenticated
  using (user_id = (select auth.uid()));

-- A user reads their own cached replies.
create policy "ai_response_cache: owner reads"
  on public.ai_response_cache for select to authenticated
  using (user_id = (select auth.uid()));

-- A user's turns cache replies for that user only.
create policy "ai_response_cache: owner writes"
  on public.ai_response_cache for insert to authenticated
  with check (user_id = (select auth.uid()));

-- A user may clear their own cache (and expired entries are cleared as they are met).
create policy "ai_response_cache: owner deletes"
  on public.ai_response_cache for delete to authenticated
  using (user_id = (select auth.uid()));

-- ---------------------------------------------------------------------------------------------
-- Atomic writes, callable through supabase.rpc
-- ---------------------------------------------------------------------------------------------

-- Appends a message and makes it the conversation's active leaf, in one statement's worth of
-- atomicity. Runs as the caller, so RLS decides.
create function public.ai_chat_append_message(
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
  insert into public.messages (
    id, conversation_id, parent_id, role, content, status, provider, model, tokens, cost,
    tool_calls, tool_results, metadata
  ) values (
    coalesce(p_id, gen_random_uuid()), p_conversation_id, p_parent_id, p_role, p_content,
    p_status, p_provider, p_model, p_tokens, p_cost, p_tool_calls, p_tool_results,
    coalesce(p_metadata, '{}'::jsonb)
  )
  returning * into inserted;

  update public.conversations
    set active_leaf_id = inserted.id
    where id = p_conversation_id;

  return inserted;
end
$$;

-- The messages of a branch, root first: the one ending at p_leaf_id, or the active one when
-- p_leaf_id is null. Runs as the caller, so RLS decides.
create function public.ai_chat_branch(p_conversation_id uuid, p_leaf_id uuid default null)
returns setof public.messages
language sql
stable
security invoker
set search_path = ''
as $$
  with recursive branch as (
    select m.*, 0 as depth
      from public.messages m
      join public.conversations c on c.id = m.conversation_id
     where c.id = p_conversation_id
       and m.id = coalesce(p_leaf_id, c.active_leaf_id)
    union all
    select m.*, b.depth + 1
      from public.messages m
      join branch b on m.conversation_id = b.conversation_id and m.id = b.parent_id
  )
  select id, conversation_id, parent_id, role, content, status, provider, model, tokens, cost,
         tool_calls, tool_results, metadata, created_at
    from branch
   order by depth desc
$$;

-- Makes the newest leaf under p_message_id the active one (flipping to a sibling branch shows
-- that branch as it was last left) and returns that leaf's id; null when the message is not
-- the caller's. The newest message of a subtree is always a leaf: children are younger.
create function public.ai_chat_switch_branch(p_conversation_id uuid, p_message_id uuid)
returns uuid
language plpgsql
security invoker
set search_path = ''
as $$
declare
  leaf uuid;
begin
  with recursive subtree as (
    select m.id, m.created_at
      from public.messages m
     where m.conversation_id = p_conversation_id and m.id = p_message_id
    union all
    select m.id, m.created_at
      from public.messages m
      join subtree s on m.conversation_id = p_conversation_id and m.parent_id = s.id
  )
  select id into leaf from subtree order by created_at desc, id desc limit 1;

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

-- The caller's usage today and this calendar month (UTC), reservations included.
create function public.ai_chat_usage_summary()
returns table (
  tokens_today bigint,
  cost_today numeric,
  tokens_this_month bigint,
  cost_this_month numeric,
  requests_this_month bigint
)
language sql
stable
security invoker
set search_path = ''
as $$
  select
    coalesce(sum(u.total_tokens) filter (where u.created_at >= date_trunc('day', now(), 'UTC')), 0)::bigint,
    coalesce(sum(u.cost) filter (where u.created_at >= date_trunc('day', now(), 'UTC')), 0),
    coalesce(sum(u.total_tokens), 0)::bigint,
    coalesce(sum(u.cost), 0),
    count(*)
  from public.ai_usage u
  where u.user_id = (select auth.uid())
    and u.created_at >= date_trunc('month', now(), 'UTC')
$$;

-- Checks the user's limits and, if there is room, holds an estimate of this request's usage,
-- atomically: a per-user advisory lock serialises concurrent requests, on one server or many.
-- A null limit is no limit. Reservations that were never settled (a crashed server) stop
-- counting after 15 minutes. Server only: a user must not be able to reserve or settle.
create function public.ai_chat_reserve_usage(
  p_user_id uuid,
  p_provider text,
  p_model text,
  p_conversation_id uuid default null,
  p_estimated_tokens integer default 0,
  p_estimated_cost numeric default 0,
  p_max_tokens_per_day bigint default null,
  p_max_cost_per_month numeric default null,
  p_max_requests_per_minute integer default null
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

  select
    coalesce(sum(u.total_tokens) filter (where u.created_at >= day_start), 0),
    coalesce(sum(u.cost), 0)
  into used_tokens, used_cost
  from public.ai_usage u
  where u.user_id = p_user_id
    and u.created_at >= least(day_start, month_start)
    and (u.status = 'settled' or u.created_at > now() - interval '15 minutes');

  if p_max_requests_per_minute is not null then
    select count(*), min(u.created_at) into recent_requests, oldest_recent
    from public.ai_usage u
    where u.user_id = p_user_id and u.created_at > now() - interval '1 minute';
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

  insert into public.ai_usage (
    user_id, conversation_id, provider, model, prompt_tokens, completion_tokens, cost, status
  ) values (
    p_user_id, p_conversation_id, p_provider, p_model, greatest(p_estimated_tokens, 0), 0,
    greatest(p_estimated_cost, 0), 'reserved'
  )
  returning id into new_id;

  return query select new_id, true, null::text, null::integer, used_tokens, used_cost;
end
$$;

-- Replaces a reservation with what the provider actually billed (zero when nothing was).
create function public.ai_chat_settle_usage(
  p_reservation_id uuid,
  p_provider text,
  p_model text,
  p_prompt_tokens integer,
  p_completion_tokens integer,
  p_cached_prompt_tokens integer default 0,
  p_cost numeric default null,
  p_message_id uuid default null,
  p_conversation_id uuid default null
) returns void
language sql
security invoker
set search_path = ''
as $$
  update public.ai_usage
     set provider = p_provider,
         -- A turn that starts a conversation reserves before the conversation exists.
         conversation_id = coalesce(conversation_id, p_conversation_id),
         model = p_model,
         prompt_tokens = p_prompt_tokens,
         completion_tokens = p_completion_tokens,
         cached_prompt_tokens = coalesce(p_cached_prompt_tokens, 0),
         cost = p_cost,
         message_id = p_message_id,
         status = 'settled',
         settled_at = now()
   where id = p_reservation_id and status = 'reserved'
$$;

-- Records a provider call that had no reservation (a summary, a tool step). Server only.
create function public.ai_chat_record_usage(
  p_user_id uuid,
  p_provider text,
  p_model text,
  p_prompt_tokens integer,
  p_completion_tokens integer,
  p_cached_prompt_tokens integer default 0,
  p_cost numeric default null,
  p_conversation_id uuid default null,
  p_message_id uuid default null
) returns uuid
language sql
security invoker
set search_path = ''
as $$
  insert into public.ai_usage (
    user_id, conversation_id, message_id, provider, model, prompt_tokens, completion_tokens,
    cached_prompt_tokens, cost, status, settled_at
  ) values (
    p_user_id, p_conversation_id, p_message_id, p_provider, p_model, p_prompt_tokens,
    p_completion_tokens, coalesce(p_cached_prompt_tokens, 0), p_cost, 'settled', now()
  )
  returning id
$$;

-- Functions are executable by PUBLIC by default; hand each only to whom it is for.
revoke execute on function
  public.ai_chat_touch_updated_at(),
  public.ai_chat_append_message(uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid),
  public.ai_chat_branch(uuid, uuid),
  public.ai_chat_switch_branch(uuid, uuid),
  public.ai_chat_usage_summary(),
  public.ai_chat_reserve_usage(uuid, text, text, uuid, integer, numeric, bigint, numeric, integer),
  public.ai_chat_settle_usage(uuid, text, text, integer, integer, integer, numeric, uuid, uuid),
  public.ai_chat_record_usage(uuid, text, text, integer, integer, integer, numeric, uuid, uuid)
  from public, anon, authenticated;

grant execute on function
  public.ai_chat_append_message(uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid),
  public.ai_chat_branch(uuid, uuid),
  public.ai_chat_switch_branch(uuid, uuid),
  public.ai_chat_usage_summary()
  to authenticated, service_role;

grant execute on function
  public.ai_chat_reserve_usage(uuid, text, text, uuid, integer, numeric, bigint, numeric, integer),
  public.ai_chat_settle_usage(uuid, text, text, integer, integer, integer, numeric, uuid, uuid),
  public.ai_chat_record_usage(uuid, text, text, integer, integer, integer, numeric, uuid, uuid)
  to service_role;
