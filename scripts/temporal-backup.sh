#!/usr/bin/env bash
# Backs up or restores Temporal's own PostgreSQL databases (docs/backup.md#temporal).
#
#   scripts/temporal-backup.sh backup  DIR   # pg_dump --format=custom of each database into DIR/<name>.dump
#   scripts/temporal-backup.sh restore DIR   # Temporal server STOPPED: replaces each database from DIR
#
# Connection: the libpq variables (PGHOST, PGPORT, PGUSER, PGPASSWORD or ~/.pgpass, PGSSLMODE), as
# Temporal's own config uses them. TEMPORAL_DATABASES overrides the names (default: the two the
# schema tool creates). The PostgreSQL client tools are found like leadflow finds them: pg_config's
# bindir, the newest /usr/lib/postgresql/*/bin, then PATH.
set -euo pipefail

usage() { echo "usage: $0 backup|restore DIR" >&2; exit 2; }
[[ $# -eq 2 ]] || usage
action=$1 dir=$2
databases=${TEMPORAL_DATABASES:-"temporal temporal_visibility"}

find_tool() {
  local d
  for d in "$(pg_config --bindir 2>/dev/null || true)" $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -rn) $(tr ':' ' ' <<<"$PATH"); do
    [[ -n $d && -x $d/$1 ]] && { echo "$d/$1"; return; }
  done
  echo "$0: $1 not found (pg_config --bindir, /usr/lib/postgresql/*/bin, PATH): install the PostgreSQL client tools" >&2
  exit 1
}

case $action in
  backup)
    pg_dump=$(find_tool pg_dump)
    umask 077
    mkdir -p "$dir"
    for db in $databases; do
      # Written beside the final name and renamed when whole: a partial dump never looks finished.
      "$pg_dump" --format=custom --dbname="$db" --file="$dir/$db.dump.partial"
      mv "$dir/$db.dump.partial" "$dir/$db.dump"
      echo "backed up $db -> $dir/$db.dump ($(wc -c <"$dir/$db.dump") bytes)"
    done
    date -u +%Y-%m-%dT%H:%M:%SZ >"$dir/taken-at"
    ;;
  restore)
    pg_restore=$(find_tool pg_restore)
    for db in $databases; do
      [[ -f $dir/$db.dump ]] || { echo "$0: $dir/$db.dump is missing: nothing restored" >&2; exit 1; }
      "$pg_restore" --list "$dir/$db.dump" >/dev/null
    done
    for db in $databases; do
      # --clean --if-exists in one transaction: the database is replaced whole or left as it was.
      "$pg_restore" --clean --if-exists --no-owner --single-transaction --exit-on-error --dbname="$db" "$dir/$db.dump"
      echo "restored $db from $dir/$db.dump"
    done
    ;;
  *) usage ;;
esac
