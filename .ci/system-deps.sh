#!/usr/bin/env bash
# Install the Debian packages the service and its tests need, only those missing (idempotent, fast when done).
#   serve: SpatiaLite.   test: + PostgreSQL 15 with PostGIS, GDAL tools, Chromium, poppler, fonts.
set -euo pipefail
want=(libsqlite3-mod-spatialite fonts-dejavu-core)
if [ "${1:-serve}" = test ]; then
  want+=(postgresql postgresql-15-postgis-3 gdal-bin chromium poppler-utils python3-qgis qgis-providers)
fi
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
