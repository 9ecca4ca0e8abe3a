-- What a Supabase project already provides, recreated for plain PostgreSQL and PGlite.
--
-- NEVER apply this file to a Supabase project: Supabase owns the `auth` schema and these roles.
-- It exists so the very same migrations in ../migrations run, with the very same row-level
-- security, on the embedded store (PGlite) and on a local PostgreSQL server in tests.
-- Every statement is idempotent: the embedded store and the test suites may run it again.

create schema if not exists auth;

-- The three API roles PostgREST switches into. `service_role` bypasses RLS, as on Supabase.
-- Roles are cluster-wide: test databases created side by side may race to create them.
do $$
declare
  spec text[];
begin
  foreach spec slice 1 in array array[
    array['anon', 'nologin noinherit'],
    array['authenticated', 'nologin noinherit'],
    array['service_role', 'nologin noinherit bypassrls']
  ] loop
    if not exists (select 1 from pg_roles where rolname = spec[1]) then
      begin
        execute format('create role %I %s', spec[1], spec[2]);
      exception when duplicate_object or unique_violation then
        null;
      end;
    end if;
  end loop;
end
$$;

create table if not exists auth.users (
  id uuid primary key,
  email text,
  created_at timestamptz not null default now()
);

-- Supabase's request identity: PostgREST puts the verified JWT's claims in `request.jwt.claims`.
create or replace function auth.jwt() returns jsonb
language sql stable
as $$
  select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb
$$;

create or replace function auth.uid() returns uuid
language sql stable
as $$
  select nullif(auth.jwt() ->> 'sub', '')::uuid
$$;

create or replace function auth.role() returns text
language sql stable
as $$
  select auth.jwt() ->> 'role'
$$;

grant usage on schema auth to anon, authenticated, service_role;
grant execute on all functions in schema auth to anon, authenticated, service_role;
grant usage on schema public to anon, authenticated, service_role;

-- Supabase grants the API roles everything on new public objects and lets RLS decide; mirror that
-- so a forgotten policy or revoke fails here exactly as it would there.
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
