-- ai-chat: per-user usage totals, what the limits and the meter read, kept in step with ai_chat_usage.
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
               count(*) as requests
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
           count(*)
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
               1 as requests
          from new_rows n
        union all
        select o.user_id, (o.created_at at time zone 'UTC')::date,
               -(o.prompt_tokens::bigint + o.completion_tokens), -coalesce(o.cost, 0),
               case when o.status = 'reserved' then -(o.prompt_tokens::bigint + o.completion_tokens) else 0 end,
               case when o.status = 'reserved' then -coalesce(o.cost, 0) else 0 end,
               -1
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

-- Writers wait for the backfill below; the triggers count every row written after it.
lock table public.ai_chat_usage in share row exclusive mode;

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

insert into public.ai_chat_usage_totals (user_id, day, tokens, cost, held_tokens, held_cost, requests)
select u.user_id, (u.created_at at time zone 'UTC')::date,
       sum(u.total_tokens), coalesce(sum(u.cost), 0),
       coalesce(sum(u.total_tokens) filter (where u.status = 'reserved'), 0),
       coalesce(sum(u.cost) filter (where u.status = 'reserved'), 0),
       count(*)
  from public.ai_chat_usage u
 group by 1, 2;

-- The user's usage in the windows the limits use, every row counted (reservations at their
-- hold), as of p_at (now, unless a test moves the clock): at most 31 rows of totals, whatever
-- the user's history. Called under the per-user lock by the two functions that may grant a hold.
drop function public.ai_chat_usage_in_windows(uuid);
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
create or replace function public.ai_chat_usage_summary()
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

revoke execute on function
  public.ai_chat_usage_totals_keep(),
  public.ai_chat_usage_in_windows(uuid, timestamptz)
  from public, anon, authenticated;
grant execute on function public.ai_chat_usage_in_windows(uuid, timestamptz) to service_role;

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
