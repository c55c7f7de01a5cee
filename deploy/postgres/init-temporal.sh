#!/bin/sh
# Run by the postgres image once, when its data volume is first initialised
# (/docker-entrypoint-initdb.d): the role Temporal's server and its schema job log in as.
# CREATEDB because the schema job (temporal-sql-tool create-database) creates Temporal's two
# databases, which the role then owns; it gets nothing in leadflow's database.
# No `set -u`: a copy that lost its exec bit is sourced by the entrypoint, and would impose it there.
set -e
: "${TEMPORAL_DB_USER:?TEMPORAL_DB_USER is not set}" "${TEMPORAL_DB_PASSWORD:?TEMPORAL_DB_PASSWORD is not set}"
# psql variables, not shell interpolation, so the password is quoted as a literal whatever it holds.
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  --set=role="$TEMPORAL_DB_USER" --set=password="$TEMPORAL_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN CREATEDB PASSWORD :'password';
SQL
