-- ai-chat: files a user attaches to a message (images and PDFs), private to that user.
--
-- The bytes live in Supabase Storage, bucket `ai-chat-attachments` (private), each under its
-- owner's folder: `<user id>/<file id>`. On the embedded store and local PostgreSQL the same
-- storage schema comes from ../local/storage.sql and the bytes sit on disk, and these very
-- policies decide who reaches them. The table below holds what the server learnt from the bytes.
--
-- Who may do what:
--   * `authenticated` reads its own rows, and deletes its own files not yet sent with a message;
--     in Storage it reads, uploads and deletes objects in its own folder only;
--   * the server (`service_role`) records an upload and binds files to the message that carries
--     them, through the functions below, each given the user id from the verified session; the
--     type, size and page count are the server's reading of the bytes, never a client's claim;
--   * `anon` reaches nothing.
--   * Deleting a conversation deletes its rows (cascade); the server then deletes their objects.

create table public.ai_chat_attachments (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  -- Null until the file is sent with a message; then the conversation and the message carrying it.
  conversation_id uuid references public.conversations (id) on delete cascade,
  message_id uuid,
  media_type text not null
    check (media_type in ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf')),
  name text not null check (char_length(name) between 1 and 255),
  size_bytes bigint not null check (size_bytes > 0),
  width integer check (width > 0),
  height integer check (height > 0),
  pages integer check (pages > 0),
  -- The object's name in the bucket: always the owner's folder and the file's own id.
  storage_path text not null unique,
  created_at timestamptz not null default now(),
  constraint ai_chat_attachments_path_is_owners check (storage_path = user_id::text || '/' || id::text),
  constraint ai_chat_attachments_sent_whole check ((conversation_id is null) = (message_id is null)),
  -- The message must sit in the same conversation (as a message's parent must).
  foreign key (conversation_id, message_id) references public.messages (conversation_id, id) on delete cascade
);

create index ai_chat_attachments_user_idx on public.ai_chat_attachments (user_id, created_at desc);
create index ai_chat_attachments_conversation_idx on public.ai_chat_attachments (conversation_id);

alter table public.ai_chat_attachments enable row level security;

-- A user reads their own files' rows, sent or not.
create policy "ai_chat_attachments: owner reads"
  on public.ai_chat_attachments for select to authenticated
  using (user_id = (select auth.uid()));

-- A user deletes their own file before sending it (the remove button of the input). A sent one
-- is part of the conversation's history and goes when the conversation goes.
create policy "ai_chat_attachments: owner deletes an unsent file"
  on public.ai_chat_attachments for delete to authenticated
  using (user_id = (select auth.uid()) and message_id is null);

-- Rows are the server's to write: a planted row could claim another type or point anywhere.
revoke all on public.ai_chat_attachments from anon;
revoke insert, update, truncate on public.ai_chat_attachments from authenticated;

-- ---------------------------------------------------------------------------------------------
-- Storage: a private bucket, each user confined to their own folder
-- ---------------------------------------------------------------------------------------------

-- Private: no public URL; the bytes are read with the user's session or a short-lived signed URL.
-- Size and types as the upload route allows (the route checks the bytes; Storage checks again).
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values (
  'ai-chat-attachments', 'ai-chat-attachments', false, 33554432,
  array['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']
)
on conflict (id) do nothing;

-- A user reads objects in their own folder only (downloads and signed URLs are made as them).
create policy "ai-chat-attachments: owner reads own folder"
  on storage.objects for select to authenticated
  using (bucket_id = 'ai-chat-attachments' and (storage.foldername(name))[1] = (select auth.uid()::text));

-- A user uploads only into their own folder.
create policy "ai-chat-attachments: owner uploads into own folder"
  on storage.objects for insert to authenticated
  with check (bucket_id = 'ai-chat-attachments' and (storage.foldername(name))[1] = (select auth.uid()::text));

-- A user deletes only objects in their own folder (an unsent file, a deleted conversation's files).
create policy "ai-chat-attachments: owner deletes own folder"
  on storage.objects for delete to authenticated
  using (bucket_id = 'ai-chat-attachments' and (storage.foldername(name))[1] = (select auth.uid()::text));

-- ---------------------------------------------------------------------------------------------
-- Server-only writes (service_role bypasses RLS, so each function checks ownership itself)
-- ---------------------------------------------------------------------------------------------

-- Records p_user_id's upload, whose bytes the server has checked and stored under
-- `<p_user_id>/<p_id>` (the table's check refuses any other path).
create function public.ai_chat_create_attachment(
  p_user_id uuid,
  p_id uuid,
  p_media_type text,
  p_name text,
  p_size_bytes bigint,
  p_width integer default null,
  p_height integer default null,
  p_pages integer default null
) returns setof public.ai_chat_attachments
language sql
security invoker
set search_path = ''
as $$
  insert into public.ai_chat_attachments (id, user_id, media_type, name, size_bytes, width, height, pages, storage_path)
  values (p_id, p_user_id, p_media_type, p_name, p_size_bytes, p_width, p_height, p_pages, p_user_id::text || '/' || p_id::text)
  returning *
$$;

-- Binds p_user_id's files p_ids to the message that carries them, all or none. Each must be that
-- user's and unsent, or already in this conversation (an edit or a regenerate sends it again;
-- it stays bound to the message that first carried it). The message must be in the user's
-- conversation. A file that fails is named in the error's hint (SQLSTATE 42501).
create function public.ai_chat_attach_files(
  p_user_id uuid,
  p_ids uuid[],
  p_conversation_id uuid,
  p_message_id uuid
) returns setof public.ai_chat_attachments
language plpgsql
security invoker
set search_path = ''
as $$
declare
  refused uuid;
begin
  if coalesce(array_length(p_ids, 1), 0) > 100 then
    raise exception 'at most 100 files per message' using errcode = '22023';
  end if;
  perform 1
     from public.messages m
     join public.conversations c on c.id = m.conversation_id
    where m.id = p_message_id and m.conversation_id = p_conversation_id and c.user_id = p_user_id;
  if not found then
    raise exception 'message % is not in this user''s conversation', p_message_id using errcode = '42501';
  end if;

  select wanted into refused
    from unnest(p_ids) as wanted
   where not exists (
     select 1 from public.ai_chat_attachments a
      where a.id = wanted and a.user_id = p_user_id
        and (a.message_id is null or a.conversation_id = p_conversation_id))
   limit 1;
  if refused is not null then
    raise exception 'file % is not this user''s to attach', refused using errcode = '42501', hint = refused::text;
  end if;

  update public.ai_chat_attachments a
     set conversation_id = p_conversation_id, message_id = p_message_id
   where a.id = any(p_ids) and a.user_id = p_user_id and a.message_id is null;
  return query
    select a.* from public.ai_chat_attachments a
     where a.id = any(p_ids) and a.user_id = p_user_id and a.conversation_id = p_conversation_id
     order by array_position(p_ids, a.id);
end
$$;

revoke execute on function
  public.ai_chat_create_attachment(uuid, uuid, text, text, bigint, integer, integer, integer),
  public.ai_chat_attach_files(uuid, uuid[], uuid, uuid)
  from public, anon, authenticated;

grant execute on function
  public.ai_chat_create_attachment(uuid, uuid, text, text, bigint, integer, integer, integer),
  public.ai_chat_attach_files(uuid, uuid[], uuid, uuid)
  to service_role;
