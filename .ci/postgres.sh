#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the PostgreSQL store's tests.
#
# Sourced by .ci/run:      source .ci/postgres.sh; postgres_start; ...; postgres_stop
# Run by a developer:      eval "$(.ci/postgres.sh start)"    # prints the exports, leaves the server running
#                          dotnet test tests/Arrears.Policy.Stores.Tests --filter Category=PostgreSql
#                          .ci/postgres.sh stop "$ARREARS_POSTGRES_DIR"
#
# postgres_start finds initdb and pg_ctl (on PATH, through pg_config --bindir, or in /usr/lib/postgresql/*/bin),
# installing Debian's postgresql package when there are none; initdb's a cluster in a new temporary folder (owned by an
# unprivileged user when run as root, since initdb refuses root), starts it on 127.0.0.1 on a free port with its socket
# in that folder, creates the role and database "arrears" with a random password, and exports
#   ARREARS_TEST_POSTGRES  an Npgsql connection string to that database
#   ARREARS_POSTGRES_DIR   the folder (data, socket, log), which postgres_stop stops and deletes.
# The server trades durability for speed (fsync off): it holds test data only.

# Prints the folder holding initdb and pg_ctl, or nothing.
postgres_bindir() {
  local dir
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    # Resolved, since a symlink on PATH (/usr/local/bin/initdb) does not bring psql along.
    dirname "$(readlink -f "$(command -v initdb)")"
    return
  fi
  if command -v pg_config >/dev/null 2>&1; then
    dir="$(pg_config --bindir 2>/dev/null || true)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return
    fi
  fi
  # Debian keeps the server's programs off PATH, one folder per major version: take the newest.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return
    fi
  done
}

# Installs Debian's postgresql package (refreshing the package lists only if needed).
postgres_install() {
  local sudo_cmd=""
  if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
  echo "Installing Debian's postgresql package for the PostgreSQL store's tests." >&2
  pg_apt_get() { $sudo_cmd env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q "$@"; }
  pg_apt_get install -y --no-install-recommends postgresql >&2 ||
    { pg_apt_get update >&2 && pg_apt_get install -y --no-install-recommends postgresql >&2; }
}

# Prints a TCP port on 127.0.0.1 that nothing listens on right now.
postgres_free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
  else
    echo $((20000 + RANDOM % 40000))
  fi
}

# Starts the server and exports ARREARS_TEST_POSTGRES and ARREARS_POSTGRES_DIR; returns non-zero (saying why) if it cannot.
postgres_start() {
  local bindir owner dir port password attempt psql
  bindir="$(postgres_bindir)"
  if [ -z "$bindir" ]; then
    postgres_install || true
    bindir="$(postgres_bindir)"
  fi
  if [ -z "$bindir" ]; then
    echo "PostgreSQL: no initdb/pg_ctl found and Debian's postgresql package could not be installed." >&2
    return 1
  fi

  # initdb refuses to run as root: the cluster then belongs to the postgres user (or nobody).
  owner="$(id -un)"
  if [ "$(id -u)" -eq 0 ]; then
    if id postgres >/dev/null 2>&1; then owner=postgres; else owner=nobody; fi
  fi
  pg_as() {
    if [ "$owner" = "$(id -un)" ]; then "$@"; else runuser -u "$owner" -- "$@"; fi
  }

  dir="$(mktemp -d "${TMPDIR:-/tmp}/arrears-postgres.XXXXXX")"
  chmod 700 "$dir"
  if [ "$owner" != "$(id -un)" ]; then chown "$owner" "$dir"; fi
  export ARREARS_POSTGRES_DIR="$dir"

  if ! pg_as "$bindir/initdb" -D "$dir/data" -U postgres -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 \
      >"$dir/initdb.log" 2>&1; then
    echo "PostgreSQL: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    return 1
  fi

  # A free port can be taken between the probe and the start: try a few.
  for attempt in 1 2 3 4 5; do
    port="$(postgres_free_port)"
    if pg_as "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
        start >/dev/null; then
      break
    fi
    port=""
  done
  if [ -z "$port" ]; then
    echo "PostgreSQL: the server did not start; its log:" >&2
    cat "$dir/server.log" >&2 || true
    return 1
  fi

  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  psql="$bindir/psql"
  if [ ! -x "$psql" ]; then psql="psql"; fi
  if ! pg_as "$psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -U postgres -d postgres >/dev/null <<SQL
CREATE ROLE arrears LOGIN CREATEDB PASSWORD '$password';
CREATE DATABASE arrears OWNER arrears;
SQL
  then
    echo "PostgreSQL: could not create the arrears role and database." >&2
    return 1
  fi

  export ARREARS_POSTGRES_BINDIR="$bindir" ARREARS_POSTGRES_OWNER="$owner"
  export ARREARS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Database=arrears;Username=arrears;Password=$password"
  echo "PostgreSQL $("$bindir/pg_ctl" --version | grep -o '[0-9][0-9.]*' | head -1) is running on 127.0.0.1:$port (data in $dir)." >&2
}

# Stops the server of a folder (default: ARREARS_POSTGRES_DIR) and deletes the folder.
postgres_stop() {
  local dir="${1:-${ARREARS_POSTGRES_DIR:-}}" bindir owner
  if [ -z "$dir" ] || [ ! -d "$dir" ]; then return 0; fi
  bindir="${ARREARS_POSTGRES_BINDIR:-$(postgres_bindir)}"
  owner="$(stat -c %U "$dir")"
  if [ -f "$dir/data/postmaster.pid" ] && [ -n "$bindir" ]; then
    if [ "$owner" = "$(id -un)" ]; then
      "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    else
      runuser -u "$owner" -- "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
  fi
  rm -rf "$dir"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start)
      postgres_start
      printf 'export ARREARS_TEST_POSTGRES=%q ARREARS_POSTGRES_DIR=%q\n' "$ARREARS_TEST_POSTGRES" "$ARREARS_POSTGRES_DIR"
      echo "# stop it with: $0 stop $ARREARS_POSTGRES_DIR" >&2
      ;;
    stop)
      postgres_stop "${2:-}"
      ;;
    *)
      echo "usage: $0 start | stop [FOLDER]" >&2
      exit 2
      ;;
  esac
fi
