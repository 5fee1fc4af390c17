#!/bin/bash
# Runs once, when the postgres container starts on an empty data volume
# (docker-entrypoint-initdb.d). Creates two login roles so that Steward and Temporal
# do not share the superuser:
#   steward  - owns database "steward" (the read model and audit trail; the API runs its
#              migrations as this role)
#   temporal - owns database "temporal" and may create databases: temporalio/auto-setup
#              creates "temporal_visibility" itself and migrates both on first boot. (It
#              skips creating a database named like its user, expecting it to exist, which
#              is why "temporal" is created here.)
# Passwords come from the container environment (see docker/compose.yml).
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v steward_password="$STEWARD_DB_PASSWORD" \
  -v temporal_password="$TEMPORAL_DB_PASSWORD" <<'EOSQL'
CREATE ROLE steward LOGIN PASSWORD :'steward_password';
CREATE DATABASE steward OWNER steward;
CREATE ROLE temporal LOGIN CREATEDB PASSWORD :'temporal_password';
CREATE DATABASE temporal OWNER temporal;
EOSQL
