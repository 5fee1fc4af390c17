#!/bin/bash
# Runs once, when the postgres container starts on an empty data volume
# (docker-entrypoint-initdb.d). Creates login roles so that Steward and Temporal
# do not share the superuser, and Steward's app cannot touch its own audit protection:
#   steward_owner - owns database "steward" and its tables; the API runs migrations as
#              this role (MIGRATIONS_DATABASE_URL) and nothing else connects as it
#   steward_app - no login: the privileges the migrations grant (append-only on the audit
#              trail, read/write on the read model); it owns nothing, so it can neither
#              disable nor drop the append-only triggers
#   steward  - the login the API and worker use (DATABASE_URL), a member of steward_app
#   temporal - owns database "temporal" and may create databases: temporalio/auto-setup
#              creates "temporal_visibility" itself and migrates both on first boot. (It
#              skips creating a database named like its user, expecting it to exist, which
#              is why "temporal" is created here.)
# Passwords come from the container environment (see docker/compose.yml).
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v steward_password="$STEWARD_DB_PASSWORD" \
  -v steward_owner_password="$STEWARD_OWNER_DB_PASSWORD" \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'EOSQL'
CREATE ROLE steward_owner LOGIN PASSWORD :'steward_owner_password';
CREATE DATABASE steward OWNER steward_owner;
CREATE ROLE steward_app NOLOGIN;
CREATE ROLE steward LOGIN PASSWORD :'steward_password' IN ROLE steward_app;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
EOSQL
