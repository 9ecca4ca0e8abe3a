-- ai-chat: the bytes of uploaded files, in the database, for the Postgres store (issue 12).
--
-- Several servers on one PostgreSQL share the rows of ai_chat_attachments but not one another's
-- disk: a file uploaded to one server must be readable by the one that sends it to the provider.
-- So the Postgres store keeps each file's bytes here, next to its row (its `attachmentBytes`
-- option may put them elsewhere), on Supabase's database as on any other. The Supabase store
-- (supabase-js, Supabase Auth) keeps them in the Storage bucket `ai-chat-attachments` instead
-- (see 20261201000300_ai_chat_attachments.sql), so with the Supabase store this table stays empty;
-- the embedded store (one process) keeps them on its disk, and it stays empty there too.
--
-- Size: the upload route refuses a file over its limits before anything is stored (5 MB per
-- image, 32 MB per PDF by default; api/attachment-check.ts), well under bytea's 1 GB a value.
-- Raised limits should stay far below it: a file is read and written whole.
--
-- Who may do what:
--   * the server (`service_role`) writes a file's bytes in the transaction that records its row,
--     and reads them only after the user's own RLS-checked query found that row (and its storage
--     object) to be theirs; it never updates them;
--   * `authenticated` and `anon` reach nothing here, not even their own bytes: no grant and no
--     policy. A user reads their file through the server, which checks the row first;
--   * deleting the file's row (an unsent file removed, a conversation deleted, a user deleted)
--     deletes its bytes with it (cascade), in the same statement.

create table public.ai_chat_attachment_bytes (
  attachment_id uuid primary key references public.ai_chat_attachments (id) on delete cascade,
  data bytea not null
);

-- Images and PDFs are compressed already: stored out of line without another compression pass.
alter table public.ai_chat_attachment_bytes alter column data set storage external;

-- RLS on, and no policy: no row is visible to or writable by any role that RLS applies to.
-- service_role bypasses RLS (as on Supabase) and holds the only grant.
alter table public.ai_chat_attachment_bytes enable row level security;
revoke all on public.ai_chat_attachment_bytes from public, anon, authenticated, service_role;
grant select, insert, delete on public.ai_chat_attachment_bytes to service_role;
