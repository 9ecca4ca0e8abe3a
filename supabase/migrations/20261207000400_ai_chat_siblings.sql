-- The versions (siblings) of each message on a branch, computed in the database.
--
-- Why: opening a conversation listed every message of every branch so the server could group
-- them by parent. Hosted PostgREST answers at most `max-rows` rows a request (1,000 by default)
-- while an import may hold 5,000 messages, so a long conversation opened with its pickers wrong
-- and exported cut short. Now the branch's sibling groups come from one bounded query: one row per
-- message of the branch that has siblings, each group read through messages_children_idx
-- (conversation_id, parent_id), never the whole tree.

-- For the branch ending at p_leaf_id (default: the conversation's shown leaf), each message that
-- has siblings and all of them, itself included, oldest first. Who may read: as the caller
-- (security invoker), so RLS on messages shows a user only their own conversations; another
-- user's conversation yields no rows.
create or replace function public.ai_chat_branch_siblings(p_conversation_id uuid, p_leaf_id uuid default null)
returns table (message_id uuid, sibling_ids uuid[])
language plpgsql
stable
set search_path = ''
as $$
begin
  return query
  select b.id, s.ids
    from public.ai_chat_branch(p_conversation_id, p_leaf_id) b
    cross join lateral (
      -- `=` never matches a null parent, so the roots (the first message and its edits) are their own group.
      select array_agg(m.id order by m.created_at, m.id) as ids
        from public.messages m
       where m.conversation_id = p_conversation_id
         and (m.parent_id = b.parent_id or (b.parent_id is null and m.parent_id is null))
    ) s
   where cardinality(s.ids) > 1
   order by b.created_at, b.id;
end
$$;

-- Functions are executable by PUBLIC by default: only a signed-in user (for their own
-- conversations, under RLS) and the server may call this one.
revoke execute on function public.ai_chat_branch_siblings(uuid, uuid) from public, anon;
grant execute on function public.ai_chat_branch_siblings(uuid, uuid) to authenticated, service_role;
