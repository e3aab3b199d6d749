#!/usr/bin/env bash
# Back up the PostgreSQL database and the upload folder together:
#   deploy/backup.sh /var/backups/gongxue
# Writes <dir>/gongxue-<UTC time>/ with database.dump (pg_dump custom format), uploads.tar.gz
# and SHA256SUMS. The database is dumped first, then the files: every file the dump names is
# in the archive (files are only ever added under new random names). Reads DATABASE_URL and
# UPLOAD_FOLDER from the environment (/etc/gongxue/env). Restore with deploy/restore.sh.
set -euo pipefail
target_root=${1:?usage: backup.sh BACKUP_DIRECTORY}
: "${DATABASE_URL:?DATABASE_URL is not set}"
: "${UPLOAD_FOLDER:?UPLOAD_FOLDER is not set}"
pg_url=${DATABASE_URL/postgresql+psycopg:/postgresql:}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$target_root"
work=$(mktemp -d "$target_root/.gongxue-$stamp.XXXXXX")
trap 'rm -rf "$work"' EXIT
pg_dump --format=custom --no-owner --no-privileges --file="$work/database.dump" "$pg_url"
mkdir -p "$UPLOAD_FOLDER"
tar -C "$UPLOAD_FOLDER" -czf "$work/uploads.tar.gz" .
(cd "$work" && sha256sum database.dump uploads.tar.gz > SHA256SUMS)
mv "$work" "$target_root/gongxue-$stamp"
trap - EXIT
echo "$target_root/gongxue-$stamp"
