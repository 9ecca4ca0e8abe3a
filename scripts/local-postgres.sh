#!/usr/bin/env bash
# Starts the machine's PostgreSQL (Debian's pg_ctlcluster) and creates a throwaway database for
# the integration suites. Prints the TEST_DATABASE_URL to use; `scripts/local-postgres.sh drop NAME`
# removes the database again. Connects over the Unix socket with peer authentication.
set -euo pipefail

socket_dir=/var/run/postgresql
me=$(id -un)

if [ "${1:-}" = "drop" ]; then
  dropdb --host "$socket_dir" --if-exists --force "$2" || true
  dropdb --host "$socket_dir" --if-exists --force "${2}_template" || true
  exit 0
fi

if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ ! -d /etc/postgresql ]; then
  echo "no local PostgreSQL found" >&2
  exit 1
fi
version=$(ls /etc/postgresql | sort -V | tail -n 1)
# Only the URL goes to stdout: the caller captures it.
pg_ctlcluster "$version" main start >&2 2>/dev/null || pg_ctlcluster "$version" main status >/dev/null

# Our OS user needs a superuser role: the suites create databases and switch roles.
for _ in $(seq 1 30); do
  pg_isready --host "$socket_dir" --quiet && break
  sleep 0.5
done
if [ "$me" = "root" ]; then
  su postgres -c "psql --host $socket_dir -qtAc \"select 1 from pg_roles where rolname = '$me'\"" | grep -q 1 ||
    su postgres -c "psql --host $socket_dir -qc 'create role \"$me\" superuser login'" >&2
fi

name="ai_chat_ci_$$_$(date +%s)"
createdb --host "$socket_dir" "$name" >&2
echo "postgresql://$me@$(printf %s "$socket_dir" | sed 's|/|%2F|g')/$name"
