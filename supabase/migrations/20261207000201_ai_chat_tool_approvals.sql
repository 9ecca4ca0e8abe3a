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
