-- What Supabase Storage provides in the database, recreated for plain PostgreSQL and PGlite.
--
-- NEVER apply this file to a Supabase project: Supabase owns the `storage` schema. It exists so
-- the storage policies of ../migrations (a user's files under their own folder) run, and are
-- proven by the RLS suite, on the embedded store and on a local PostgreSQL server. The columns
-- are the subset of Supabase's that the module and its policies use, with Supabase's names and
-- types. Loaded after auth.sql (files load sorted by name): it needs the API roles. Idempotent.

create schema if not exists storage;

create table if not exists storage.buckets (
  id text primary key,
  name text not null unique,
  owner uuid,
  public boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);

create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text references storage.buckets (id),
  -- The object's path in its bucket: `<user id>/<file id>` for ai-chat's files.
  name text,
  owner uuid,
  owner_id text,
  metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now(),
  version text,
  user_metadata jsonb
);
create unique index if not exists bucketid_objname on storage.objects (bucket_id, name);

-- Supabase's own definition: the folders of a path, without the file name.
create or replace function storage.foldername(name text) returns text[]
language plpgsql
immutable
as $$
declare
  _parts text[];
begin
  select string_to_array(name, '/') into _parts;
  return _parts[1:array_length(_parts, 1) - 1];
end
$$;

-- As on Supabase: RLS on, no policy until a migration adds one, the API roles granted the
-- tables so that the policies alone decide.
alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

grant usage on schema storage to anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to anon, authenticated, service_role;
grant execute on function storage.foldername(text) to anon, authenticated, service_role;
