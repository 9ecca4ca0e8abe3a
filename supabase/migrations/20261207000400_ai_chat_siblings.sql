-- The versions (siblings) of each message on a branch, computed in the database.
--
-- Why: opening a conversation listed every message of every branch so the server could group
-- them by parent. Hosted PostgREST answers at most `max-rows` rows a request (1,000 by default)
-- while an import may hold 5,000 messages, so a long conversation opened with its pickers wrong
-- and exported cut short. Now the branch's sibling groups come from one bounded query: one row per
-- message of the branch that has siblings, each group read through messages_children_idx
-- (conversation_id, parent_id), never the whole tree.

-- For the branch ending at p_leaf_id (default: the conversation's shown leaf), each message that
-- has siblings and all of them, itself included, oldest first; rows in message id order (the
-- order a paged read asks for), at most one per message of the branch. Who may read: as the caller
-- (security invoker), so RLS on messages shows a user only their own conversations; another
-- user's conversation yields no rows.
create or replace function public.ai_chat_branch_siblings(p_conversation_id uuid, p_leaf_id uuid default null)
returns table (message_id uuid, sibling_ids uuid[])
language plpgsql
stable
set search_path = ''
as $$
begin
  -- The branch walk of ai_chat_branch, ids only (its rows carry whole messages); then each
  -- message's group by one lookup in messages_children_idx. `=` never matches a null parent, so
  -- the roots (a first message and its edits) are a second, separate lookup.
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
  ), versions (message_id, id, created_at) as (
    select b.id, m.id, m.created_at
      from chain b
      join public.messages m on m.conversation_id = b.conversation_id and m.parent_id = b.parent_id
    union all
    select b.id, m.id, m.created_at
      from chain b
      join public.messages m on m.conversation_id = b.conversation_id and m.parent_id is null
     where b.parent_id is null
  )
  select v.message_id, array_agg(v.id order by v.created_at, v.id)
    from versions v
   group by v.message_id
  having count(*) > 1
   order by v.message_id;
end
$$;

-- Functions are executable by PUBLIC by default: only a signed-in user (for their own
-- conversations, under RLS) and the server may call this one.
revoke execute on function public.ai_chat_branch_siblings(uuid, uuid) from public, anon;
grant execute on function public.ai_chat_branch_siblings(uuid, uuid) to authenticated, service_role;
