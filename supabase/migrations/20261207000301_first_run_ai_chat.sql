-- Text files (issue 21): plain text, Markdown, CSV, JSON and source code, checked by the server
-- as UTF-8 and stored as text/plain (the file's name says which kind). Everything else about an
-- attachment is unchanged.

alter table public.ai_chat_attachments drop constraint ai_chat_attachments_media_type_check;
alter table public.ai_chat_attachments add constraint ai_chat_attachments_media_type_check
  check (media_type in ('image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'));

-- Storage checks the type again on Supabase: the bucket takes text too.
update storage.buckets
   set allowed_mime_types = array['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain']
 where id = 'ai-chat-attachments';
