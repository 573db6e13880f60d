#!/usr/bin/env bash
# Build a PostgreSQL major from Debian's source packages, to test the
# extension against it (scripts/run-tests.sh --pg-config ...).  Nothing of
# PostgreSQL's goes into this repository: the source is downloaded into a
# cache outside it and built there.
#
# Usage: scripts/build-postgres.sh [--cache DIR] [--valgrind] MAJOR
#   --cache DIR   where sources and builds live (default $MPN_PG_CACHE, or
#                 /var/cache/mpn-benefits/postgres); a second run reuses a
#                 build that finished, and rebuilds nothing
#   --valgrind    a build for valgrind's memcheck, as the buildfarm's skink
#                 runs it (scripts/run-tests.sh --valgrind): assertions on,
#                 -O1 -g -DUSE_VALGRIND (memory contexts tell memcheck which
#                 chunks are allocated), in <cache>/NN-valgrind so that it
#                 never meets the plain build of the same major.  The
#                 source tree's src/tools/valgrind.supp is kept as
#                 <cache>/NN-valgrind/valgrind.supp: memcheck needs it at
#                 run time, and the source tree is removed after the build.
#                 Its source may also come from this machine's own release
#                 (bookworm, bookworm-updates): 15 is in no other index.
#
# Where the source comes from: deb-src lines for sid, trixie and
# experimental, on the same archive that this machine's own apt sources name
# (read from them), in a private apt configuration under the cache (the
# machine's own apt state is not touched).  The newest version those indexes
# name is fetched with `apt-get source --download-only`, which checks it
# against the .dsc's checksums.  Where the archive no longer serves that
# version's files, the newest upstream tarball of the same major that it does
# serve (postgresql-NN_NN.M.orig.tar.bz2 in the package's pool folder,
# counting the minor down) is taken instead.
#
# Build: ./configure --prefix=<cache>/NN/install --with-icu --without-readline,
# make -j2, make install, make -C src/test/isolation install, and of contrib
# only amcheck (make -C contrib/amcheck install: test/pg_upgrade/run.sh
# checks the extension's btree indexes with it) (4 to 7 minutes on 2 cores;
# needs bison, flex, libicu-dev, pkg-config, zlib1g-dev).  A cached build
# made before amcheck was part of it gets amcheck alone, built against the
# installed server with PGXS from the source tarball kept in <cache>/NN/src
# (seconds; nothing else is rebuilt); when that fails, the build is still
# used, and the amcheck checks say they were skipped.  With
# --valgrind, configure also gets --enable-cassert --enable-debug
# CFLAGS="-O1 -g -DUSE_VALGRIND" (needs valgrind's headers, in the package
# valgrind).
#
# Output: the last line on stdout is the path of the build's pg_config.
# Exit status: 0 built (or cached); 3 no source of this major can be
# downloaded (the caller reports the major as skipped); anything else is a
# failure (a download that broke off, configure or make failing).
set -euo pipefail

CACHE=${MPN_PG_CACHE:-/var/cache/mpn-benefits/postgres}
VALGRIND=0
while [ $# -gt 0 ]; do
	case "$1" in
		--cache) CACHE=$2; shift 2 ;;
		--valgrind) VALGRIND=1; shift ;;
		-h | --help) sed -n '2,/^set -euo/{/^#/p}' "$0"; exit 0 ;;
		-*) echo "build-postgres.sh: unknown option $1" >&2; exit 2 ;;
		*) break ;;
	esac
done
if [ $# -ne 1 ] || ! [[ "$1" =~ ^[1-9][0-9]$ ]]; then
	echo "usage: build-postgres.sh [--cache DIR] [--valgrind] MAJOR (a two-digit major, such as 17)" >&2
	exit 2
fi
MAJOR=$1
flavour=''
[ "$VALGRIND" = 1 ] && flavour=-valgrind
DIR=$CACHE/$MAJOR$flavour
PREFIX=$DIR/install
log() { echo "build-postgres $MAJOR$flavour: $*" >&2; }

# contrib/amcheck for a build that lacks it (one cached before amcheck was
# built with the server): only that module, from the source tarball kept in
# $DIR/src, against the installed server through PGXS.  Never fatal: the
# build is good without it, and the tests that need amcheck skip it.
add_amcheck() {
	local tarball work
	[ -f "$PREFIX/share/extension/amcheck.control" ] && return 0
	tarball=$(ls "$DIR/src"/postgresql-"$MAJOR"_*.orig.tar.* 2>/dev/null | head -n 1) || true
	if [ -z "$tarball" ]; then
		log "no amcheck in this build, and no source tarball in $DIR/src to build it from"
		return 0
	fi
	work=$(mktemp -d "$DIR/amcheck.XXXXXX")
	if tar -xf "$tarball" -C "$work" --wildcards '*/contrib/amcheck/*' &&
		make -C "$work"/postgresql-*/contrib/amcheck USE_PGXS=1 PG_CONFIG="$PREFIX/bin/pg_config" install \
			>"$DIR/amcheck.log" 2>&1; then
		log "added contrib/amcheck to the cached build (from $(basename "$tarball"))"
	else
		log "could not add contrib/amcheck (see $DIR/amcheck.log); going on without it"
	fi
	rm -rf "$work"
	return 0
}

# A finished build leaves its stamp last; anything short of it is rebuilt.
# A valgrind build is only of use with its suppressions next to it.
if [ -f "$DIR/built" ] && [ -x "$PREFIX/bin/pg_config" ] &&
	{ [ "$VALGRIND" = 0 ] || [ -s "$DIR/valgrind.supp" ]; }; then
	log "cached: $(cat "$DIR/built")"
	add_amcheck
	echo "$PREFIX/bin/pg_config"
	exit 0
fi

mkdir -p "$DIR/apt/lists/partial" "$DIR/src"

# The Debian archive this machine uses, from its own apt sources (deb822
# .sources files or one-line sources.list), the first whose suites are
# Debian's own (not -security).
archive=$(
	{
		for f in /etc/apt/sources.list.d/*.sources; do [ -r "$f" ] && cat "$f" && echo; done | awk '
			/^URIs:/ { uri = $2 } /^Suites:/ { suites = $0 }
			/^[[:space:]]*$/ { if (uri != "" && suites !~ /security/) print uri; uri = ""; suites = "" }
			END { if (uri != "" && suites !~ /security/) print uri }'
		[ -r /etc/apt/sources.list ] &&
			awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break } }' /etc/apt/sources.list
	} | head -n 1
) || true
if [ -z "$archive" ]; then
	log "no Debian archive found in this machine's apt sources"
	exit 3
fi
archive=${archive%/}

APT=(-o Dir::Etc::SourceList="$DIR/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
	-o Dir::State::Lists="$DIR/apt/lists" -o Dir::Cache="$DIR/apt/cache"
	-o APT::Sandbox::User=root -o Debug::NoLocking=1)
mkdir -p "$DIR/apt/cache/archives/partial"
: >"$DIR/apt/sources.list"
suites='sid trixie experimental'
# The valgrind build is wanted for the major Debian's own server is (15 on
# bookworm), which sid and trixie no longer carry: add this machine's
# release and its point-release updates.  Only here, so that the plain
# builds read the indexes they always did.
if [ "$VALGRIND" = 1 ]; then
	release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$release" ] && suites="$suites $release $release-updates"
fi
for suite in $suites; do
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $archive $suite main" >>"$DIR/apt/sources.list"
done
log "reading the source indexes of $(echo "$suites" | sed 's/ /, /g')"
if ! apt-get "${APT[@]}" -qq update >"$DIR/apt/update.log" 2>&1; then
	log "apt-get update failed: $(tail -n 1 "$DIR/apt/update.log")"
	exit 3
fi

# The versions the indexes name, newest first
versions=$(apt-cache "${APT[@]}" showsrc "postgresql-$MAJOR" 2>/dev/null | awk '/^Version:/ { print $2 }' | sort -u)
sorted=''						# insertion sort by dpkg's order
for v in $versions; do
	placed=0 rest=''
	for w in $sorted; do
		if [ "$placed" = 0 ] && dpkg --compare-versions "$v" gt "$w"; then
			rest="$rest $v"
			placed=1
		fi
		rest="$rest $w"
	done
	[ "$placed" = 0 ] && rest="$rest $v"
	sorted=${rest# }
done
if [ -z "$sorted" ]; then
	log "no index names postgresql-$MAJOR"
	exit 3
fi
log "the indexes name$(printf ' %s' $sorted)"

tarball=''
rm -rf "$DIR/src" && mkdir -p "$DIR/src"
: >"$DIR/src/download.log"
for v in $sorted; do
	if (cd "$DIR/src" && apt-get "${APT[@]}" -qq source --download-only "postgresql-$MAJOR=$v") >>"$DIR/src/download.log" 2>&1; then
		tarball=$(ls "$DIR/src"/postgresql-"$MAJOR"_*.orig.tar.* | head -n 1)
		version=${v#*:}
		version=${version%-*}
		origin="Debian source package postgresql-$MAJOR $v (checked against its .dsc)"
		break
	fi
	log "the archive does not serve $v ($(grep -oE '[0-9]{3} +[A-Z][A-Za-z]+( [A-Z][A-Za-z]+)*' "$DIR/src/download.log" | tail -n 1 || echo 'download failed'))"
	rm -f "$DIR/src"/postgresql-"$MAJOR"_*
done

# Failing that, a release (NN.M, not a beta or rc): count the newest
# version's minor down to the newest upstream tarball still in the pool.
newest=${sorted%% *}
upstream=${newest#*:}
upstream=${upstream%-*}
if [ -z "$tarball" ] && [[ "$upstream" =~ ^$MAJOR\.([0-9]+)$ ]]; then
	pool="$archive/pool/main/p/postgresql-$MAJOR"
	for ((minor = BASH_REMATCH[1] - 1; minor >= 0; minor--)); do
		file="postgresql-${MAJOR}_$MAJOR.$minor.orig.tar.bz2"
		if /usr/lib/apt/apt-helper -o APT::Sandbox::User=root download-file "$pool/$file" "$DIR/src/$file" >>"$DIR/src/download.log" 2>&1; then
			tarball=$DIR/src/$file
			version=$MAJOR.$minor
			origin="upstream tarball $file from the pool of postgresql-$MAJOR"
			break
		fi
		rm -f "$DIR/src/$file"
	done
fi
if [ -z "$tarball" ]; then
	log "no source of PostgreSQL $MAJOR can be downloaded"
	exit 3
fi
log "building PostgreSQL $version from the $origin"

tar -xf "$tarball" -C "$DIR/src"
srcdir=$(find "$DIR/src" -mindepth 1 -maxdepth 1 -type d -name 'postgresql-*' | head -n 1)
rm -rf "$PREFIX" "$DIR/valgrind.supp"
configure_extra=()
if [ "$VALGRIND" = 1 ]; then
	# skink's settings: -O1 keeps valgrind's stacks close to the source
	# (-O0 is slower still under valgrind, -O2 inlines too much to read)
	configure_extra=(--enable-cassert --enable-debug CFLAGS="-O1 -g -DUSE_VALGRIND")
fi
(
	cd "$srcdir"
	./configure --prefix="$PREFIX" --with-icu --without-readline ${configure_extra[@]+"${configure_extra[@]}"} >"$DIR/configure.log" 2>&1
	make -j2 >"$DIR/make.log" 2>&1
	make install >"$DIR/install.log" 2>&1
	make -C src/test/isolation install >>"$DIR/install.log" 2>&1
	make -C contrib/amcheck install >>"$DIR/install.log" 2>&1
) || {
	log "build failed; see the logs in $DIR (configure.log, make.log, install.log)"
	exit 1
}
if [ "$VALGRIND" = 1 ]; then
	cp "$srcdir/src/tools/valgrind.supp" "$DIR/valgrind.supp" || {
		log "the source tree has no src/tools/valgrind.supp"
		exit 1
	}
fi
# keep the build, not the source tree
rm -rf "$srcdir"
echo "PostgreSQL $version from the $origin, built $(date -u '+%Y-%m-%d %H:%M UTC')" >"$DIR/built"
log "built: $(cat "$DIR/built")"
echo "$PREFIX/bin/pg_config"
