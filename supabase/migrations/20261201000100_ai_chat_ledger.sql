-- ai-chat: a turn's money has one owner (api/turn-ledger.ts), and these are its database halves.
--
-- What changes from 20261125000000_ai_chat:
--   * A reservation counts at its estimate until it is settled: no more 15-minute expiry. Limits
--     and GET /usage now read the same rows the same way. A reservation left by a server that
--     died stays at its estimate, the most its turn could have cost: a crash never gives tokens
--     back, and a turn that runs for longer than 15 minutes keeps what it holds.
--   * The hold can be moved while a turn runs (ai_chat_hold_usage): before every provider call
--     after the first (a tool step, a failover, a summary) the server re-checks the limits with
--     what the turn has spent so far plus the next call's estimate, under the same per-user lock.
--   * Settling never depends on the conversation still existing: a conversation deleted while its
--     reply streamed is simply not pointed at (ai_usage.conversation_id is `on delete set null`).
--   * Anthropic cache writes are billed above the input rate, so usage keeps them apart
--     (`cache_write_tokens`, part of prompt_tokens as cache reads are).
-- Every usage function stays executable by service_role only, except the caller's own summary.

alter table public.ai_usage
  add column cache_write_tokens integer not null default 0 check (cache_write_tokens >= 0);

-- The hold a turn has is what `prompt_tokens` and `cost` say while `status = 'reserved'`.
comment on column public.ai_usage.status is
  'reserved: the turn''s current hold (prompt_tokens = tokens held, cost = dollars held), counted in full until settled; settled: what the provider billed.';

drop function if exists public.ai_chat_reserve_usage(uuid, text, text, uuid, integer, numeric, bigint, numeric, integer);
drop function if exists public.ai_chat_settle_usage(uuid, text, text, integer, integer, integer, numeric, uuid, uuid);
drop function if exists public.ai_chat_record_usage(uuid, text, text, integer, integer, integer, numeric, uuid, uuid);

-- The user's usage in the windows the limits use, every row counted (reservations at their hold).
-- Called under the per-user lock by the two functions that may grant a hold.
create function public.ai_chat_usage_in_windows(p_user_id uuid)
returns table (tokens_today bigint, cost_this_month numeric)
language sql
stable
security invoker
set search_path = ''
as $$
  select
    coalesce(sum(u.total_tokens) filter (where u.created_at >= date_trunc('day', now(), 'UTC')), 0)::bigint,
    coalesce(sum(u.cost) filter (where u.created_at >= date_trunc('month', now(), 'UTC')), 0)
  from public.ai_usage u
  where u.user_id = p_user_id
    and u.created_at >= least(date_trunc('day', now(), 'UTC'), date_trunc('month', now(), 'UTC'))
$$;

-- Checks the user's limits and, if there is room, holds an estimate of this turn's usage,
-- atomically: a per-user advisory lock serialises concurrent requests, on one server or many.
-- A null limit is no limit. `resets_at` is when the window that refused resets.
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
  select w.tokens_today, w.cost_this_month into used_tokens, used_cost
  from public.ai_chat_usage_in_windows(p_user_id) w;

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
    p_user_id,
    (select c.id from public.conversations c where c.id = p_conversation_id),
    p_provider, p_model, greatest(p_estimated_tokens, 0), 0, greatest(p_estimated_cost, 0), 'reserved'
  )
  returning id into new_id;

  return query select new_id, true, null::text, null::integer, used_tokens, used_cost;
end
$$;

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
  from public.ai_usage u
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

  update public.ai_usage
     set prompt_tokens = greatest(p_tokens, 0), completion_tokens = 0, cost = greatest(p_cost, 0)
   where id = p_reservation_id;
  return query select true, null::text, null::integer, used_tokens, used_cost;
end
$$;

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
language sql
security invoker
set search_path = ''
as $$
  with settled as (
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
     where id = p_reservation_id and status = 'reserved'
    returning 1
  )
  select exists (select 1 from settled)
$$;

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
  insert into public.ai_usage (
    user_id, conversation_id, message_id, provider, model, prompt_tokens, completion_tokens,
    cached_prompt_tokens, cache_write_tokens, cost, status, settled_at
  ) values (
    p_user_id, (select c.id from public.conversations c where c.id = p_conversation_id), p_message_id,
    p_provider, p_model, p_prompt_tokens, p_completion_tokens, coalesce(p_cached_prompt_tokens, 0),
    coalesce(p_cache_write_tokens, 0), p_cost, 'settled', now()
  )
  returning id
$$;

-- Functions are executable by PUBLIC by default; these take a user id, so only the server may
-- call them (a user could otherwise reserve, settle or read for anyone).
revoke execute on function
  public.ai_chat_usage_in_windows(uuid),
  public.ai_chat_reserve_usage(uuid, text, text, uuid, integer, numeric, bigint, numeric, integer),
  public.ai_chat_hold_usage(uuid, uuid, integer, numeric, bigint, numeric),
  public.ai_chat_settle_usage(uuid, text, text, integer, integer, integer, integer, numeric, uuid, uuid),
  public.ai_chat_record_usage(uuid, text, text, integer, integer, integer, integer, numeric, uuid, uuid)
  from public, anon, authenticated;

grant execute on function
  public.ai_chat_usage_in_windows(uuid),
  public.ai_chat_reserve_usage(uuid, text, text, uuid, integer, numeric, bigint, numeric, integer),
  public.ai_chat_hold_usage(uuid, uuid, integer, numeric, bigint, numeric),
  public.ai_chat_settle_usage(uuid, text, text, integer, integer, integer, integer, numeric, uuid, uuid),
  public.ai_chat_record_usage(uuid, text, text, integer, integer, integer, integer, numeric, uuid, uuid)
  to service_role;

-- ---------------------------------------------------------------------------------------------
-- Rolling summaries, kept per branch point
-- ---------------------------------------------------------------------------------------------
-- A summary runs through one message and speaks for every branch that contains that message, so
-- switching branches back and forth reuses each branch's summary instead of paying for it again
-- (the single summary column on conversations was overwritten by whichever branch ran last).
create table public.ai_chat_summaries (
  conversation_id uuid not null references public.conversations (id) on delete cascade,
  through_message_id uuid not null,
  summary text not null check (char_length(summary) <= 20000),
  created_at timestamptz not null default now(),
  primary key (conversation_id, through_message_id)
);

alter table public.ai_chat_summaries enable row level security;
revoke all on public.ai_chat_summaries from anon, authenticated;
grant select on public.ai_chat_summaries to authenticated;
grant all on public.ai_chat_summaries to service_role;

-- A user reads the summaries of their own conversations. Only the server writes them (it pays
-- for them, and they go into the model's prompt): no policy lets a user insert or change one.
create policy "ai_chat_summaries: owner reads"
  on public.ai_chat_summaries for select to authenticated
  using (exists (
    select 1 from public.conversations c where c.id = conversation_id and c.user_id = (select auth.uid())
  ));

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
      from public.messages m
      join public.conversations c on c.id = m.conversation_id
     where m.id = p_through_message_id and m.conversation_id = p_conversation_id and c.user_id = p_user_id
    on conflict (conversation_id, through_message_id) do update set summary = excluded.summary, created_at = now()
    returning 1
  )
  select exists (select 1 from saved)
$$;

revoke execute on function public.ai_chat_save_summary(uuid, uuid, uuid, text) from public, anon, authenticated;
grant execute on function public.ai_chat_save_summary(uuid, uuid, uuid, text) to service_role;
