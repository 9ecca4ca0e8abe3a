-- ai-chat: search across chats, share links and feedback on replies (issue 20, points 2, 4, 5).

-- =============================================================================================
-- Search
-- =============================================================================================
-- Words are indexed with the `simple` configuration: no stemming and no stop words, so it works
-- alike in every language and exists on Supabase, PostgreSQL and PGlite. Each user and assistant
-- message's words are kept in a table of their own, beside the message, with its owner: a search
-- reads only the words (ranking a stored vector, never re-parsing the text), a message read
-- never carries them, and RLS there is one column compare. A message's first 50,000 characters
-- are indexed: to_tsvector refuses a vector over 1 MB, and a failing index would refuse the
-- message itself.
create table public.ai_chat_message_words (
  message_id uuid primary key,
  conversation_id uuid not null,
  user_id uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null,
  words tsvector not null,
  foreign key (conversation_id, message_id) references public.ai_chat_messages (conversation_id, id) on delete cascade
);
-- fastupdate off: a pending list of new entries is read whole by every search until a vacuum
-- merges it, and the embedded store never runs one (at 10,000 fresh messages: ~30 ms a search).
create index ai_chat_message_words_idx on public.ai_chat_message_words using gin (words) with (fastupdate = off);
-- A word in most of a user's messages is found faster by walking their newest messages than
-- through the word's long list in the GIN index: the planner picks, by the word's statistics.
create index ai_chat_message_words_user_time_idx on public.ai_chat_message_words (user_id, created_at desc);
comment on table public.ai_chat_message_words is
  'The words of each user and assistant message, for search; kept by a trigger on ai_chat_messages, read by their owner under RLS.';
create index ai_chat_conversations_search_idx on public.ai_chat_conversations
  using gin (to_tsvector('simple'::regconfig, title));

alter table public.ai_chat_message_words enable row level security;
revoke all on public.ai_chat_message_words from public, anon, authenticated;
grant select on public.ai_chat_message_words to authenticated;
grant all on public.ai_chat_message_words to service_role;

-- A user searches only the words of their own messages.
create policy "ai_chat_message_words: owner reads"
  on public.ai_chat_message_words for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_message_words: owner reads" on public.ai_chat_message_words is
  'A signed-in user reads (searches) the words of their own messages, no one else''s.';

-- Keeps a message's words whoever writes it (the server's functions, an import). Security
-- definer: the row's owner comes from the conversation, not from the writer.
create function public.ai_chat_index_message_words() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if new.role not in ('user', 'assistant') then
    return null;
  end if;
  insert into public.ai_chat_message_words as w (message_id, conversation_id, user_id, created_at, words)
  select new.id, new.conversation_id, c.user_id, new.created_at, to_tsvector('simple'::regconfig, left(new.content, 50000))
    from public.ai_chat_conversations c
   where c.id = new.conversation_id
  on conflict on constraint ai_chat_message_words_pkey do update set words = excluded.words;
  return null;
end
$$;
comment on function public.ai_chat_index_message_words is
  'Trigger: keeps ai_chat_message_words in step with a message''s text.';

create trigger ai_chat_messages_index_words
  after insert or update of content on public.ai_chat_messages
  for each row execute function public.ai_chat_index_message_words();

-- Messages written before this migration.
insert into public.ai_chat_message_words (message_id, conversation_id, user_id, created_at, words)
select m.id, m.conversation_id, c.user_id, m.created_at, to_tsvector('simple'::regconfig, left(m.content, 50000))
  from public.ai_chat_messages m
  join public.ai_chat_conversations c on c.id = m.conversation_id
 where m.role in ('user', 'assistant');

-- The caller's conversations (by title) and messages (by words, in any branch) that hold every
-- term as a word or a word's start, best first, with a snippet whose matching words sit between
-- chr(2) and chr(3) (both removed from the text first, so only the markers are markers). The
-- terms are words the server split out of what was typed; each is quoted into the query as one
-- lexeme, so nothing typed is ever read as query syntax. A one-character term matches whole
-- words only (as a prefix it would match nearly everything). Of messages, the newest 1,000
-- matches are ranked: a word found in nearly every message costs no more than that. Runs as the
-- caller: RLS decides.
create function public.ai_chat_search(p_terms text[], p_limit integer default 20)
returns table (
  kind text,
  conversation_id uuid,
  conversation_title text,
  message_id uuid,
  role text,
  snippet text,
  rank real,
  created_at timestamptz
)
language plpgsql
stable
security invoker
set search_path = ''
-- Postgres cannot estimate how many words a prefix matches, and for a rare one it guessed a
-- scan of every vector (23 ms at 10,000 messages on PGlite, for no match at all) over the GIN
-- index. Off for this function only: the planner still picks between the GIN index and the
-- newest-first walk of the user's messages (a word in most of them).
set enable_seqscan = off
as $$
declare
  q tsquery;
  term text;
  lexeme text;
  wanted integer := least(greatest(coalesce(p_limit, 20), 1), 50);
begin
  foreach term in array coalesce(p_terms[1:8], '{}'::text[]) loop
    term := left(coalesce(term, ''), 64);
    continue when term = '';
    lexeme := '''' || replace(replace(term, '\', '\\'), '''', '''''') || '''' || case when char_length(term) > 1 then ':*' else '' end;
    q := case when q is null then to_tsquery('simple'::regconfig, lexeme) else q && to_tsquery('simple'::regconfig, lexeme) end;
  end loop;
  if q is null or numnode(q) = 0 then
    return;
  end if;
  return query
  with recent as (
    select w.message_id, w.conversation_id, w.created_at, w.words
      from public.ai_chat_message_words w
     where w.words @@ q
       and w.user_id = (select auth.uid())
     order by w.created_at desc
     limit 1000
  ), ranked as (
    select r.message_id, r.conversation_id, r.created_at, ts_rank(r.words, q) as rank
      from recent r
     order by rank desc, r.created_at desc
     limit wanted
  ), hits as (
    select 'message'::text as kind, m.conversation_id, c.title as conversation_title, m.id as message_id, m.role,
           m.content as body, m.created_at, x.rank
      from ranked x
      join public.ai_chat_messages m on m.conversation_id = x.conversation_id and m.id = x.message_id
      join public.ai_chat_conversations c on c.id = m.conversation_id
    union all
    select 'title'::text, c.id, c.title, null::uuid, null::text, c.title, c.last_message_at,
           -- A title names the whole chat: it outranks a passing mention in one message.
           (ts_rank(to_tsvector('simple'::regconfig, c.title), q) * 2)::real
      from public.ai_chat_conversations c
     where to_tsvector('simple'::regconfig, c.title) @@ q
       and c.user_id = (select auth.uid())
  ), top as (
    select * from hits h order by h.rank desc, h.created_at desc limit wanted
  )
  select t.kind, t.conversation_id, t.conversation_title, t.message_id, t.role,
         ts_headline('simple'::regconfig, translate(left(t.body, 50000), chr(2) || chr(3), ''), q,
           'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxFragments=2, MaxWords=24, MinWords=8, FragmentDelimiter=" … "'),
         t.rank, t.created_at
    from top t
   order by t.rank desc, t.created_at desc;
end
$$;
comment on function public.ai_chat_search(text[], integer) is
  'The caller''s chats and messages (all branches) holding every term (prefixes), ranked, with marked snippets. Runs as the caller, under RLS.';

-- =============================================================================================
-- Share links
-- =============================================================================================
-- A read-only copy of a conversation's shown branch as it stood when shared: the questions and
-- replies (text, reasoning and refusals; files only if the owner chose; model names, tokens and
-- costs only if the owner chose). A copy, not a reference: later turns, edits and branch flips
-- never show through, and nothing leaves the conversation the owner did not share. One link per
-- conversation; sharing again refreshes the copy under the same link; revoking deletes the row.
-- The id is 32 random bytes (two v4 UUIDs' 244 random bits) in base64url: never guessed.
create table public.ai_chat_shares (
  id text primary key check (id ~ '^[A-Za-z0-9_-]{32,64}$'),
  conversation_id uuid not null unique references public.ai_chat_conversations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  title text not null,
  messages jsonb not null check (jsonb_typeof(messages) = 'array'),
  show_models boolean not null default false,
  show_files boolean not null default false,
  created_at timestamptz not null default now()
);
comment on table public.ai_chat_shares is
  'Share links: a snapshot of a conversation''s shown branch. The owner sees and revokes theirs; anyone with the id reads it through ai_chat_share_read only.';

alter table public.ai_chat_shares enable row level security;
revoke all on public.ai_chat_shares from public, anon, authenticated;
grant select, delete on public.ai_chat_shares to authenticated;
grant all on public.ai_chat_shares to service_role;

-- The owner sees whether their conversation has a link (and its id).
create policy "ai_chat_shares: owner reads"
  on public.ai_chat_shares for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_shares: owner reads" on public.ai_chat_shares is
  'A signed-in user sees their own share links, no one else''s.';

-- The owner revokes their link: the row goes, and the link answers 404 at once.
create policy "ai_chat_shares: owner revokes"
  on public.ai_chat_shares for delete to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_shares: owner revokes" on public.ai_chat_shares is
  'A signed-in user revokes (deletes) their own share links.';

-- Shares p_user_id's conversation as its shown branch stands now; no row when it is not theirs.
create function public.ai_chat_share_create(
  p_user_id uuid,
  p_conversation_id uuid,
  p_show_models boolean default false,
  p_show_files boolean default false
) returns table (id text, conversation_id uuid, show_models boolean, show_files boolean, created_at timestamptz)
language plpgsql
set search_path = ''
as $$
declare
  chat_title text;
  snapshot jsonb;
begin
  select c.title into chat_title
    from public.ai_chat_conversations c
   where c.id = p_conversation_id and c.user_id = p_user_id;
  if not found then
    return;
  end if;
  select coalesce(jsonb_agg(jsonb_build_object(
           'role', m.role,
           'content', m.content,
           'status', m.status,
           'createdAt', m.created_at,
           'parts', (select coalesce(jsonb_agg(p.part order by p.ord), '[]'::jsonb)
                       from jsonb_array_elements(coalesce(m.parts, '[]'::jsonb)) with ordinality as p(part, ord)
                      where p.part ->> 'type' in ('text', 'reasoning', 'refusal')
                         or (p_show_files and p.part ->> 'type' = 'file')),
           'model', case when p_show_models then m.model end,
           'tokens', case when p_show_models then m.tokens end,
           'cost', case when p_show_models then m.cost::text end
         ) order by m.created_at, m.id), '[]'::jsonb)
    into snapshot
    from public.ai_chat_branch(p_conversation_id, null) m
   where m.role in ('user', 'assistant');
  return query
  insert into public.ai_chat_shares as s (id, conversation_id, user_id, title, messages, show_models, show_files)
  values (
    translate(encode(decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'), 'base64'), '+/=', '-_'),
    p_conversation_id, p_user_id, chat_title, snapshot, p_show_models, p_show_files
  )
  on conflict on constraint ai_chat_shares_conversation_id_key do update
     set title = excluded.title, messages = excluded.messages, show_models = excluded.show_models,
         show_files = excluded.show_files, created_at = now()
  returning s.id, s.conversation_id, s.show_models, s.show_files, s.created_at;
end
$$;
comment on function public.ai_chat_share_create(uuid, uuid, boolean, boolean) is
  'Server only: shares p_user_id''s conversation (its shown branch, copied now) or refreshes its link''s copy; no row when not theirs.';

-- The one snapshot under p_share_id, for anyone holding the link (signed in or not): the only
-- way to a share's rows without owning them. Security definer so anon needs no grant on any
-- table; it reads one row by its exact id and returns only what the snapshot holds.
create function public.ai_chat_share_read(p_share_id text)
returns table (title text, messages jsonb, show_models boolean, show_files boolean, created_at timestamptz)
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  if p_share_id is null or p_share_id !~ '^[A-Za-z0-9_-]{32,64}$' then
    return;
  end if;
  return query
  select s.title, s.messages, s.show_models, s.show_files, s.created_at
    from public.ai_chat_shares s
   where s.id = p_share_id;
end
$$;
comment on function public.ai_chat_share_read(text) is
  'Anyone with a share link: that link''s snapshot (title and copied messages) and nothing else; no row when unknown or revoked.';

-- =============================================================================================
-- Feedback
-- =============================================================================================
-- A thumbs up or down on an assistant reply, with an optional short comment; one per reply,
-- changed in place, gone with the reply. The owner writes it only through ai_chat_set_feedback,
-- which takes who they are from their JWT: no user inserts or updates a row of it directly.
create table public.ai_chat_feedback (
  message_id uuid primary key,
  conversation_id uuid not null,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  rating text not null check (rating in ('up', 'down')),
  comment text check (char_length(comment) <= 1000),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  foreign key (conversation_id, message_id) references public.ai_chat_messages (conversation_id, id) on delete cascade
);
create index ai_chat_feedback_conversation_idx on public.ai_chat_feedback (conversation_id);
comment on table public.ai_chat_feedback is
  'Thumbs up or down (and a comment) on assistant replies; each user''s own, written and read under RLS.';

alter table public.ai_chat_feedback enable row level security;
revoke all on public.ai_chat_feedback from public, anon, authenticated;
grant select, delete on public.ai_chat_feedback to authenticated;
grant all on public.ai_chat_feedback to service_role;

-- A user reads their own feedback.
create policy "ai_chat_feedback: owner reads"
  on public.ai_chat_feedback for select to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_feedback: owner reads" on public.ai_chat_feedback is
  'A signed-in user reads their own feedback, no one else''s.';

-- A user clears their own feedback.
create policy "ai_chat_feedback: owner clears"
  on public.ai_chat_feedback for delete to authenticated
  using (user_id = (select auth.uid()));
comment on policy "ai_chat_feedback: owner clears" on public.ai_chat_feedback is
  'A signed-in user removes their own feedback.';

-- Sets (or with a null rating clears) the caller's feedback on one of their assistant replies
-- and returns it (rating null: cleared); no row when the reply is not the caller's or not a reply.
-- Security definer, so no user needs a write grant on the table: who the caller is comes from
-- their JWT (auth.uid()), and the reply must be in one of their conversations.
create function public.ai_chat_set_feedback(p_message_id uuid, p_rating text, p_comment text default null)
returns table (message_id uuid, conversation_id uuid, rating text, comment text, updated_at timestamptz)
language plpgsql
security definer
set search_path = ''
as $$
declare
  caller uuid := auth.uid();
  reply record;
begin
  if caller is null then
    return;
  end if;
  select m.id, m.conversation_id into reply
    from public.ai_chat_messages m
    join public.ai_chat_conversations c on c.id = m.conversation_id
   where m.id = p_message_id and m.role = 'assistant' and c.user_id = caller;
  if not found then
    return;
  end if;
  if p_rating is null then
    delete from public.ai_chat_feedback f where f.message_id = p_message_id and f.user_id = caller;
    return query select reply.id, reply.conversation_id, null::text, null::text, now();
    return;
  end if;
  return query
  insert into public.ai_chat_feedback as f (message_id, conversation_id, user_id, rating, comment)
  values (reply.id, reply.conversation_id, caller, p_rating, nullif(p_comment, ''))
  on conflict on constraint ai_chat_feedback_pkey do update
     set rating = excluded.rating, comment = excluded.comment, updated_at = now()
  returning f.message_id, f.conversation_id, f.rating, f.comment, f.updated_at;
end
$$;
comment on function public.ai_chat_set_feedback(uuid, text, text) is
  'Sets or (null rating) clears the caller''s feedback on their own assistant reply; no row when not theirs. The caller is the JWT''s user.';

-- =============================================================================================
-- Who may execute what
-- =============================================================================================
revoke execute on function
  public.ai_chat_index_message_words(),
  public.ai_chat_search(text[], integer),
  public.ai_chat_share_create(uuid, uuid, boolean, boolean),
  public.ai_chat_share_read(text),
  public.ai_chat_set_feedback(uuid, text, text)
  from public, anon, authenticated;

-- The user's own: they take no user id; the caller is the JWT's user.
grant execute on function
  public.ai_chat_search(text[], integer),
  public.ai_chat_set_feedback(uuid, text, text)
  to authenticated, service_role;

-- The server's: takes the user id from the server's verified session.
grant execute on function public.ai_chat_share_create(uuid, uuid, boolean, boolean) to service_role;

-- Anyone with a link, signed in or not.
grant execute on function public.ai_chat_share_read(text) to anon, authenticated, service_role;
