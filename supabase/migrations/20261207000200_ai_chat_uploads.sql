-- ai-chat: uploads are bounded (issue 19, finding 2): a storage quota per user, uploads counted
-- against the requests-per-minute limit as chat turns are, and unsent uploads expire.
--
-- Who may do what (unchanged): the server (`service_role`) records an upload through
-- ai_chat_create_attachment, which now also enforces the quota and the request rate for the
-- user the server verified; `authenticated` still reads its own rows and deletes its own unsent
-- files, which is how the stores expire them: on each upload, the uploader's own unsent files
-- older than the handler's age limit are deleted as that user, under the policy
-- "ai_chat_attachments: owner deletes an unsent file" (no cron, and the sweep needs no new
-- grant); the new log of upload times is the server's alone; `anon` reaches nothing.
--
-- Both limits are decided under the per-user advisory lock that ai_chat_reserve_usage takes, in
-- the transaction that inserts the row, so uploads sent in parallel (on one server or many) are
-- counted one after another and never pass the quota together.

-- When each upload was taken, for the requests-per-minute count: a file removed at once (or
-- expired) must still count. Rows older than a minute are pruned by the next upload of the same
-- user. Only the server reads or writes them: RLS on, no policy, service_role's grant alone.
create table if not exists public.ai_chat_upload_requests (
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now()
);
create index if not exists ai_chat_upload_requests_user_idx on public.ai_chat_upload_requests (user_id, created_at);
alter table public.ai_chat_upload_requests enable row level security;
revoke all on public.ai_chat_upload_requests from public, anon, authenticated, service_role;
grant select, insert, delete on public.ai_chat_upload_requests to service_role;

-- The user's requests of the last minute: chat turns (their usage rows, as before) and uploads.
-- `oldest` tells when the window frees a slot.
create or replace function public.ai_chat_recent_requests(p_user_id uuid)
returns table (recent integer, oldest timestamptz)
language sql
stable
security invoker
set search_path = ''
as $$
  select count(*)::integer, min(r.created_at)
  from (
    select u.created_at from public.ai_usage u
     where u.user_id = p_user_id and u.created_at > now() - interval '1 minute'
    union all
    select q.created_at from public.ai_chat_upload_requests q
     where q.user_id = p_user_id and q.created_at > now() - interval '1 minute'
  ) r
$$;

revoke execute on function public.ai_chat_recent_requests(uuid) from public, anon, authenticated;
grant execute on function public.ai_chat_recent_requests(uuid) to service_role;

-- As in 20261201000100_ai_chat_ledger.sql, except that the last minute's requests include uploads.
create or replace function public.ai_chat_reserve_usage(
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

-- Records p_user_id's upload, whose bytes the server has checked and stored under
-- `<p_user_id>/<p_id>`, if it fits: the user's requests of the last minute (turns and uploads)
-- must be fewer than p_max_requests_per_minute, else SQLSTATE AC429 with the seconds until a
-- slot frees in DETAIL; all the user's files (sent or not) plus this one must take at most
-- p_max_storage_bytes, else SQLSTATE AC413 with the bytes already used in DETAIL. Null: no limit.
drop function if exists public.ai_chat_create_attachment(uuid, uuid, text, text, bigint, integer, integer, integer);
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

revoke execute on function
  public.ai_chat_create_attachment(uuid, uuid, text, text, bigint, integer, integer, integer, bigint, integer)
  from public, anon, authenticated;
grant execute on function
  public.ai_chat_create_attachment(uuid, uuid, text, text, bigint, integer, integer, integer, bigint, integer)
  to service_role;
