-- The functions every turn calls, as PL/pgSQL: same signatures, same results, same rights.
--
-- Why: a `language sql` function with a `set search_path` clause is never inlined, and Postgres
-- plans its body again on every call. For the recursive branch read that is ~2.4 ms a call on
-- PostgreSQL 15 here (0.15 ms as PL/pgSQL, whose plans are cached per connection, and every store
-- keeps its connections: the pool, PGlite's one, PostgREST's). The turn calls the branch read
-- and the usage windows before the first token, so this is time to first token, and CPU per chat.
-- The usage sums also compute their window bounds once instead of per row (1.6 ms → 0.3 ms for a
-- user with 600 usage rows this month).
-- The `set search_path = ''` clause stays: it is what keeps a caller's search_path out.

create or replace function public.ai_chat_branch(p_conversation_id uuid, p_leaf_id uuid default null)
returns setof public.messages
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
   order by m.created_at, m.id;
end
$$;

create or replace function public.ai_chat_usage_in_windows(p_user_id uuid)
returns table (tokens_today bigint, cost_this_month numeric)
language plpgsql
stable
set search_path = ''
as $$
declare
  -- Once, not per row: date_trunc with a time zone in a filter was most of the sum's time.
  day_start timestamptz := date_trunc('day', now(), 'UTC');
  month_start timestamptz := date_trunc('month', now(), 'UTC');
begin
  return query
  select
    coalesce(sum(u.total_tokens) filter (where u.created_at >= day_start), 0)::bigint,
    coalesce(sum(u.cost) filter (where u.created_at >= month_start), 0)
  from public.ai_usage u
  where u.user_id = p_user_id
    and u.created_at >= least(day_start, month_start);
end
$$;

create or replace function public.ai_chat_usage_summary()
returns table (tokens_today bigint, cost_today numeric, tokens_this_month bigint, cost_this_month numeric, requests_this_month bigint)
language plpgsql
stable
set search_path = ''
as $$
declare
  day_start timestamptz := date_trunc('day', now(), 'UTC');
  month_start timestamptz := date_trunc('month', now(), 'UTC');
begin
  return query
  select
    coalesce(sum(u.total_tokens) filter (where u.created_at >= day_start), 0)::bigint,
    coalesce(sum(u.cost) filter (where u.created_at >= day_start), 0),
    coalesce(sum(u.total_tokens), 0)::bigint,
    coalesce(sum(u.cost), 0),
    count(*)
  from public.ai_usage u
  where u.user_id = (select auth.uid())
    and u.created_at >= month_start;
end
$$;

create or replace function public.ai_chat_settle_usage(
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
  update public.ai_usage
     set provider = p_provider,
         -- A turn that starts a conversation reserves before the conversation exists.
         conversation_id = coalesce(conversation_id, (select c.id from public.conversations c where c.id = p_conversation_id)),
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

create or replace function public.ai_chat_create_conversation(
  p_user_id uuid,
  p_provider text,
  p_model text,
  p_title text default null,
  p_system_prompt text default null,
  p_id uuid default null
) returns setof public.conversations
language plpgsql
set search_path = ''
as $$
begin
  return query
  insert into public.conversations (id, user_id, title, system_prompt, provider, model)
  values (coalesce(p_id, gen_random_uuid()), p_user_id, coalesce(p_title, 'New chat'), p_system_prompt, p_provider, p_model)
  returning *;
end
$$;

create or replace function public.ai_chat_newest_leaf(p_conversation_id uuid, p_message_id uuid)
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
      from public.messages m
     where m.conversation_id = p_conversation_id and m.id = p_message_id
    union
    select m.conversation_id, m.id, m.created_at
      from subtree s
      join public.messages m on m.conversation_id = s.conversation_id and m.parent_id = s.id
  )
  select s.id into leaf from subtree s order by s.created_at desc, s.id desc limit 1;
  return leaf;
end
$$;

create or replace function public.ai_chat_reply_start(
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
    from public.conversations c
   where c.id = p_conversation_id and c.user_id = p_user_id
  on conflict (id) do nothing;
  return found;
end
$$;

create or replace function public.ai_chat_reply_generating(p_user_id uuid, p_conversation_id uuid)
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
