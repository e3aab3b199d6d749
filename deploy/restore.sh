#!/usr/bin/env bash
# Restore a backup made by deploy/backup.sh into an EMPTY database and upload folder:
#   deploy/restore.sh /var/backups/gongxue/gongxue-20261201T023000Z
# DATABASE_URL names the (new, empty) database, UPLOAD_FOLDER the (new, empty) folder.
# Stop gongxue-web and gongxue-worker first; start them again afterwards.
set -euo pipefail
backup=${1:?usage: restore.sh BACKUP_DIRECTORY}
: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${UPLOAD_FOLDER:?UPLOAD_FOLDER is not set}"
pg_url=${DATABASE_URL/postgresql+psycopg:/postgresql:}
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
tables=$(psql "$pg_url" -Atc "select count(*) from pg_tables where schemaname = 'public'")
if [ "$tables" != "0" ]; then
    echo "restore.sh: the database is not empty; restore into a new database" >&2
    exit 1
fi
if [ -d "$UPLOAD_FOLDER" ] && [ -n "$(ls -A "$UPLOAD_FOLDER")" ]; then
    echo "restore.sh: $UPLOAD_FOLDER is not empty; restore into a new folder" >&2
    exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$pg_url" "$backup/database.dump"
mkdir -p "$UPLOAD_FOLDER"
tar -C "$UPLOAD_FOLDER" -xzf "$backup/uploads.tar.gz"
echo "restored $backup"
