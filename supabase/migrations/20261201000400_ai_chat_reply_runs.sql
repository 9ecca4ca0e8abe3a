-- Durable replies (issue 12): a reply's generation outlives the request that started it. The
-- instance generating a reply checkpoints it here at a bounded rate (about once a second, never
-- per token); other instances follow a reply from its checkpoints, ask for it to stop, and mark
-- it interrupted when its checkpoints stop coming (the instance died).
--
-- Only the server writes these tables, through the service_role functions below, which take the
-- acting user's id from the server's verified session. A user may read their own runs.

create table public.ai_chat_reply_runs (
  -- The assistant message's id: the reply is saved under it when it ends.
  id uuid primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  conversation_id uuid not null references public.conversations (id) on delete cascade,
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

create index ai_chat_reply_runs_generating on public.ai_chat_reply_runs (heartbeat_at) where state = 'generating';
create index ai_chat_reply_runs_conversation on public.ai_chat_reply_runs (conversation_id) where state = 'generating';

-- The run's events, in order, one row per checkpoint (consecutive deltas coalesced).
create table public.ai_chat_reply_events (
  run_id uuid not null references public.ai_chat_reply_runs (id) on delete cascade,
  seq integer not null check (seq >= 0),
  events jsonb not null,
  primary key (run_id, seq)
);

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

-- A user reads the events of their own reply runs. Only the generating server appends them.
create policy "ai_chat_reply_events: run owner reads"
  on public.ai_chat_reply_events for select to authenticated
  using (exists (
    select 1 from public.ai_chat_reply_runs r where r.id = run_id and r.user_id = (select auth.uid())
  ));

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
  -- What the run leaves if its instance dies before its first checkpoint: an empty partial
  -- row and its prompt billed, rather than no row and the reservation held at its estimate.
  p_fallback jsonb default null
) returns boolean
language sql
security invoker
set search_path = ''
as $$
  with started as (
    insert into public.ai_chat_reply_runs (id, user_id, conversation_id, parent_id, provider, model, reservation_id, expected_leaf_id, fallback)
    select p_id, p_user_id, c.id, p_parent_id, p_provider, p_model, p_reservation_id, p_expected_leaf, nullif(p_fallback, 'null'::jsonb)
      from public.conversations c
     where c.id = p_conversation_id and c.user_id = p_user_id
    on conflict (id) do nothing
    returning 1
  )
  select exists (select 1 from started)
$$;

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

-- The runs of p_user_id's conversation still generating. Server only.
create function public.ai_chat_reply_generating(p_user_id uuid, p_conversation_id uuid)
returns table (id uuid, parent_id uuid, provider text, model text, started_at timestamptz)
language sql
stable
security invoker
set search_path = ''
as $$
  select r.id, r.parent_id, r.provider, r.model, r.started_at
    from public.ai_chat_reply_runs r
   where r.conversation_id = p_conversation_id and r.user_id = p_user_id and r.state = 'generating'
   order by r.started_at
$$;

-- Marks interrupted every run still generating whose heartbeat is older than p_stale_seconds
-- (p_id: only that one), each in this one transaction: its fallback becomes the assistant
-- message (partial, error 'interrupted'), its reservation is settled from the fallback (once:
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
    if message is not null and not exists (select 1 from public.messages m where m.id = run.id) then
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
        p_message_id => case when message is null then null else run.id end,
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

-- The message appender learns p_expected_leaf: a durable reply may be saved long after its turn
-- began, by then the person may have carried on elsewhere (a follow-up on another branch, another
-- version picked). The saved message takes the shown branch only when the shown leaf is still
-- p_expected_leaf or the message's parent; otherwise it is one more version beside it. Null:
-- always, as before. Dropped and created (its signature grows); rights handed out again below.
drop function public.ai_chat_append_message(uuid, uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid, jsonb);

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

  update public.conversations c
     set active_leaf_id = case
           when p_expected_leaf is null or c.active_leaf_id is null
             or c.active_leaf_id = p_expected_leaf or c.active_leaf_id is not distinct from p_parent_id
           then inserted.id
           else c.active_leaf_id
         end,
         last_message_at = inserted.created_at
   where c.id = p_conversation_id;

  return inserted;
end
$$;

revoke execute on function
  public.ai_chat_append_message(uuid, uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid, jsonb, uuid)
  from public, anon, authenticated;
grant execute on function
  public.ai_chat_append_message(uuid, uuid, uuid, text, text, text, text, text, integer, numeric, jsonb, jsonb, jsonb, uuid, jsonb, uuid)
  to service_role;

-- Functions are executable by PUBLIC by default; these take a user id or act for every user,
-- so only the server may call them.
revoke execute on function
  public.ai_chat_reply_start(uuid, uuid, uuid, uuid, text, text, uuid, uuid, jsonb),
  public.ai_chat_reply_tick(jsonb, uuid[]),
  public.ai_chat_reply_request_stop(uuid, uuid),
  public.ai_chat_reply_read(uuid, uuid, integer),
  public.ai_chat_reply_generating(uuid, uuid),
  public.ai_chat_reply_sweep(integer, uuid)
  from public, anon, authenticated;

grant execute on function
  public.ai_chat_reply_start(uuid, uuid, uuid, uuid, text, text, uuid, uuid, jsonb),
  public.ai_chat_reply_tick(jsonb, uuid[]),
  public.ai_chat_reply_request_stop(uuid, uuid),
  public.ai_chat_reply_read(uuid, uuid, integer),
  public.ai_chat_reply_generating(uuid, uuid),
  public.ai_chat_reply_sweep(integer, uuid)
  to service_role;
