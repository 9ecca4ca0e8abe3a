-- ai-chat: the usage summary tells what was spent from what replies in progress hold.
--
-- Why: a reservation counts at its hold until it is settled (20261201000100_ai_chat_ledger), and
-- the summary summed every row, so during a long reply the meter showed the hold as spent ("4.5K
-- tokens today / $0.0086") and fell back after Stop (451 / $0.0006). Limits still count holds
-- (ai_chat_usage_in_windows is unchanged); the summary now gives spent (settled rows) and held
-- (reserved rows: the most the replies in progress may still spend) apart.
--
-- The return type changes, so the function is dropped and created again, with its rights.

drop function if exists public.ai_chat_usage_summary();

-- The caller's own usage this month: spent (settled) and held (reserved) apart, today and this
-- month. Security invoker: row-level security lets a user read only their own rows.
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
  day_start timestamptz := date_trunc('day', now(), 'UTC');
  month_start timestamptz := date_trunc('month', now(), 'UTC');
begin
  return query
  select
    coalesce(sum(u.total_tokens) filter (where u.status = 'settled' and u.created_at >= day_start), 0)::bigint,
    coalesce(sum(u.cost) filter (where u.status = 'settled' and u.created_at >= day_start), 0),
    coalesce(sum(u.total_tokens) filter (where u.status = 'settled'), 0)::bigint,
    coalesce(sum(u.cost) filter (where u.status = 'settled'), 0),
    count(*),
    coalesce(sum(u.total_tokens) filter (where u.status = 'reserved' and u.created_at >= day_start), 0)::bigint,
    coalesce(sum(u.cost) filter (where u.status = 'reserved'), 0)
  from public.ai_usage u
  where u.user_id = (select auth.uid())
    and u.created_at >= month_start;
end
$$;

-- A signed-in user reads their own summary; anon and the public may not call it.
revoke execute on function public.ai_chat_usage_summary() from public, anon;
grant execute on function public.ai_chat_usage_summary() to authenticated, service_role;
