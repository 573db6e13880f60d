#!/usr/bin/env bash
# Install what mpn_benefits needs from Debian's packages (when run as root),
# then build the extension with warnings as errors and install it into the
# server that PG_CONFIG names (Debian's PostgreSQL 15 unless told).
#
# Usage: scripts/install.sh [--packages-only | --build-only]   (idempotent)
#   PG_CONFIG=/path/to/pg_config scripts/install.sh     another server
set -euo pipefail
cd "$(dirname "$0")/.."

steps=both
case "${1:-}" in
	--packages-only) steps=packages ;;
	--build-only) steps=build ;;
	'') ;;
	*) echo "install.sh: unknown argument $1" >&2; exit 2 ;;
esac

# Debian's 15 and its headers; compilers and the fuzzers' runtime; what
# building another major from source needs (scripts/build-postgres.sh);
# what building the Debian package needs (debian/control's Build-Depends);
# and the BI client test's drivers (test/bi/run.sh): pgjdbc and a JDK to
# run it, psqlODBC with unixODBC and its headers.
PACKAGES=(postgresql-15 postgresql-client-15 postgresql-server-dev-15 postgresql-contrib
	postgresql-server-dev-all make gcc clang-14 libclang-rt-14-dev
	bison flex libicu-dev pkg-config zlib1g-dev
	dpkg-dev debhelper lintian postgresql-all
	libpostgresql-jdbc-java default-jdk-headless odbc-postgresql unixodbc unixodbc-dev)
# Wanted, not needed: pg_cron for 15, which the scheduling test uses
# (test/cron/run.sh says it was skipped without it), so failing to
# install it fails nothing.
OPTIONAL=(postgresql-15-cron)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
if [ "$steps" != build ]; then
	missing=() missing_optional=()
	for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
	for p in "${OPTIONAL[@]}"; do installed "$p" || missing_optional+=("$p"); done
	if [ ${#missing[@]} -gt 0 ] && [ "$(id -u)" -ne 0 ]; then
		echo "install.sh: missing packages: ${missing[*]}; run as root or install them" >&2
		exit 1
	fi
	if [ $((${#missing[@]} + ${#missing_optional[@]})) -gt 0 ] && [ "$(id -u)" -eq 0 ]; then
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		if [ ${#missing[@]} -gt 0 ]; then
			echo "== installing ${missing[*]}"
			apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
		fi
		for p in "${missing_optional[@]}"; do
			echo "== installing $p (optional)"
			apt-get install -y -qq --no-install-recommends "$p" >/dev/null ||
				echo "install.sh: could not install $p; the tests that need it will say they were skipped" >&2
		done
	elif [ ${#missing_optional[@]} -gt 0 ]; then
		echo "install.sh: not installed (optional, for the tests that say they were skipped): ${missing_optional[*]}" >&2
	fi
fi
[ "$steps" = packages ] && exit 0

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
echo "== building mpn_benefits against $("$PG_CONFIG" --version) (warnings are errors)"
make -s clean PG_CONFIG="$PG_CONFIG"
make -s WERROR=1 PG_CONFIG="$PG_CONFIG"
if [ "$(id -u)" -eq 0 ]; then
	make -s install PG_CONFIG="$PG_CONFIG"
else
	sudo make -s install PG_CONFIG="$PG_CONFIG"
fi
echo "== installed into $("$PG_CONFIG" --pkglibdir)"
