#!/bin/sh
# Back up Akademi ASN: the database (pg_dump, custom format) and the files folder.
#
#   deploy/backup.sh DATABASE_URL FILES_DIR OUT_DIR
#
# DATABASE_URL is libpq's (postgresql://user@host:port/db; a SQLAlchemy "+psycopg" is dropped).
# OUT_DIR gets db.dump, files.tar.gz and SHA256SUMS (checked by deploy/restore.sh). The dump is
# one consistent snapshot taken while the app runs; take the files after it, so every file a row
# of the dump names is in the archive (a file written meanwhile is extra, never missing).
set -eu
[ $# -eq 3 ] || { echo "usage: $0 DATABASE_URL FILES_DIR OUT_DIR" >&2; exit 2; }
url=$(printf '%s' "$1" | sed 's/+psycopg//')
files=$2
out=$3
mkdir -p "$out"
pg_dump --format=custom --no-owner --no-privileges --file="$out/db.dump" "$url"
tar -C "$files" -czf "$out/files.tar.gz" .
(cd "$out" && sha256sum db.dump files.tar.gz > SHA256SUMS)
echo "backup in $out: $(du -sh "$out" | cut -f1)"
