-- ai-chat: the MCP servers a person turned off for one conversation (issue 22: "the chat's UI can
-- list which tools a conversation may use and turn a server off for it"). Folded into the
-- baseline at merge; until then it runs after it, on Supabase, plain PostgreSQL and PGlite alike.

-- The names of the operator's MCP servers whose tools this conversation's turns do not offer the
-- model. The server's to write (through the REST API, which checks each name against the
-- configured servers): like title_source, no column grant lets a user set it directly. A user
-- reads it with the rest of their row (the table's select grant, under "owner reads").
alter table public.ai_chat_conversations
  add column disabled_mcp_servers text[] not null default '{}'
    check (cardinality(disabled_mcp_servers) <= 64
           and char_length(array_to_string(disabled_mcp_servers, ',')) <= 64 * 65);
comment on column public.ai_chat_conversations.disabled_mcp_servers is
  'MCP servers turned off for this conversation (server names); written by the server only.';

-- As in the baseline, plus the key disabled_mcp_servers (a JSON array of names).
create or replace function public.ai_chat_update_conversation(
  p_user_id uuid,
  p_conversation_id uuid,
  p_changes jsonb
) returns setof public.ai_chat_conversations
language sql
security invoker
set search_path = ''
as $$
  update public.ai_chat_conversations c
     set title = case when p_changes ? 'title' then p_changes ->> 'title' else c.title end,
         system_prompt = case when p_changes ? 'system_prompt' then p_changes ->> 'system_prompt' else c.system_prompt end,
         summary = case when p_changes ? 'summary' then p_changes ->> 'summary' else c.summary end,
         summary_through_message_id = case
           when p_changes ? 'summary_through_message_id' then (p_changes ->> 'summary_through_message_id')::uuid
           else c.summary_through_message_id end,
         provider = case when p_changes ? 'provider' then p_changes ->> 'provider' else c.provider end,
         model = case when p_changes ? 'model' then p_changes ->> 'model' else c.model end,
         disabled_mcp_servers = case
           when p_changes ? 'disabled_mcp_servers'
             then array(select jsonb_array_elements_text(p_changes -> 'disabled_mcp_servers'))
           else c.disabled_mcp_servers end
   where c.id = p_conversation_id and c.user_id = p_user_id
  returning c.*
$$;
comment on function public.ai_chat_update_conversation is
  'Server only: sets the keys present in p_changes on p_user_id''s conversation; no row when it is not theirs.';
