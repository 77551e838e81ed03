#!/usr/bin/env bash
# Make sure a PostgreSQL server with PostGIS answers on 127.0.0.1:5432 for the tests (trust auth for local TCP).
set -euo pipefail
url="${PLANMAP_TEST_POSTGRES:-postgresql://postgres@127.0.0.1:5432/postgres}"
if psql "$url" -qAtc 'select 1' >/dev/null 2>&1; then exit 0; fi
ver=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
[ -n "$ver" ] || { echo "no PostgreSQL cluster configured (apt-get install postgresql)"; exit 1; }
hba=/etc/postgresql/$ver/main/pg_hba.conf
if ! grep -q '^host all all 127.0.0.1/32 trust' "$hba"; then
  # Tests connect as postgres over loopback without a password, like this machine kind's own server.
  sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
fi
pg_ctlcluster --skip-systemctl-redirect "$ver" main start 2>/dev/null || pg_ctlcluster --skip-systemctl-redirect "$ver" main reload
for _ in $(seq 1 30); do psql "$url" -qAtc 'select 1' >/dev/null 2>&1 && exit 0; sleep 1; done
echo "PostgreSQL did not come up at $url"; exit 1
