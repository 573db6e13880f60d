# scripts/lib/cluster-owner.sh: sourced by the scripts that start clusters
# of their own (scripts/throwaway-cluster.sh, test/pg_upgrade/run.sh,
# test/replication/run.sh).  PostgreSQL refuses to run as root, so under
# root the clusters belong to the system user "postgres" (made if
# missing); otherwise to the caller.  Defines:
#   $owner                 that user
#   as_owner CMD ARGS...   CMD run as that user
#   owned_tmpdir PREFIX    prints a new directory /tmp/PREFIX.XXXXXX the
#                          owner may write
if [ "$(id -u)" -eq 0 ]; then
	owner=postgres
	id -u "$owner" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$owner"
	as_owner() { runuser -u "$owner" -- "$@"; }
else
	owner=$(id -un)
	as_owner() { "$@"; }
fi

owned_tmpdir() {
	local dir
	dir=$(mktemp -d "/tmp/$1.XXXXXX") || return 1
	chmod 755 "$dir"
	if [ "$(id -u)" -eq 0 ]; then chown "$owner" "$dir"; fi
	echo "$dir"
}
