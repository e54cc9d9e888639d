# Run once by the postgres image on an empty volume, as its superuser: the platform's own role, which owns
# its database and is no superuser (so no `COPY … PROGRAM`, no server files), with TIMONIER_DB_PASSWORD.
: "${TIMONIER_DB_PASSWORD:?set TIMONIER_DB_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set password="$TIMONIER_DB_PASSWORD" <<'SQL'
create role timonier login nosuperuser nocreatedb nocreaterole noreplication nobypassrls password :'password';
create database timonier owner timonier;
SQL
