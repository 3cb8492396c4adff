#!/bin/sh
# Restore a deploy/backup.sh backup into an EMPTY database and an empty files folder.
#
#   deploy/restore.sh BACKUP_DIR DATABASE_URL FILES_DIR
#
# The database must exist and be empty (createdb); the schema comes from the dump, migrations
# included (alembic_version), so no `flask db upgrade` is needed after it. The archive checksums
# are verified first; any error stops the restore (pg_restore --exit-on-error, one transaction).
set -eu
[ $# -eq 3 ] || { echo "usage: $0 BACKUP_DIR DATABASE_URL FILES_DIR" >&2; exit 2; }
backup=$1
url=$(printf '%s' "$2" | sed 's/+psycopg//')
files=$3
(cd "$backup" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
    --dbname="$url" "$backup/db.dump"
mkdir -p "$files"
tar -C "$files" -xzf "$backup/files.tar.gz"
echo "restored $backup into $files and the database"
