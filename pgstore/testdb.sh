#!/usr/bin/env bash
# testdb.sh COMMAND [ARG...]: run COMMAND with ROUTEDESK_PG_URL naming a
# PostgreSQL database, then exit with COMMAND's status.
# testdb.sh --bindir: print the folder of PostgreSQL's server programs, or
# fail when there are none.
#
# When ROUTEDESK_PG_URL is already set, COMMAND runs against that server.
# Otherwise the script starts a throwaway server (initdb into a temporary
# folder, as the postgres user when run as root, listening only on a unix
# socket in that folder, no TCP), runs COMMAND with ROUTEDESK_PG_DATA and
# ROUTEDESK_PG_BINDIR naming its data folder and the folder of pg_ctl too,
# and stops the server and removes the folder however COMMAND ends. Without PostgreSQL's server
# programs COMMAND runs without a URL (pgstore's tests then skip), except
# when CI=true, where that is an error.
set -euo pipefail

if [ $# -eq 0 ]; then
	echo "usage: $0 COMMAND [ARG...] | --bindir" >&2
	exit 2
fi

# bindir prints the folder of initdb, pg_ctl and postgres, or nothing.
bindir() {
	local d
	if command -v pg_config >/dev/null && d=$(pg_config --bindir) && [ -x "$d/initdb" ]; then
		echo "$d"
		return
	fi
	for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
		if [ -x "$d/initdb" ]; then
			echo "$d"
			return
		fi
	done
	if d=$(command -v initdb); then
		dirname "$d"
	fi
}

bin=$(bindir)
if [ "$1" = --bindir ]; then
	[ -n "$bin" ] && echo "$bin"
	exit
fi
if [ -n "${ROUTEDESK_PG_URL:-}" ]; then
	exec "$@"
fi
if [ -z "$bin" ]; then
	if [ "${CI:-}" = true ]; then
		echo "testdb.sh: no PostgreSQL server programs (initdb, pg_ctl), and CI=true" >&2
		exit 1
	fi
	echo "testdb.sh: no PostgreSQL server programs; pgstore's tests will skip" >&2
	exec "$@"
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/routedesk-pg.XXXXXX")
as=()
if [ "$(id -u)" -eq 0 ]; then
	# initdb and postgres refuse to run as root.
	chown postgres: "$dir"
	as=(runuser -u postgres --)
fi

stop() {
	"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap stop EXIT
trap "exit 130" INT TERM

"${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 ||
	{ cat "$dir/initdb.log" >&2; exit 1; }
# A throwaway server: no TCP, the socket in $dir only, and no waiting for
# the disk (nothing here needs to survive a crash).
opts="-c listen_addresses= -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
"${as[@]}" "$bin/pg_ctl" -D "$dir/data" -o "$opts" -l "$dir/server.log" -w -t 60 start >/dev/null ||
	{ cat "$dir/server.log" >&2; exit 1; }

export ROUTEDESK_PG_URL="postgres:///postgres?host=$dir&user=postgres&sslmode=disable"
# For tests that restart the server: its data folder and pg_ctl's folder.
export ROUTEDESK_PG_DATA="$dir/data" ROUTEDESK_PG_BINDIR="$bin"
status=0
"$@" || status=$?
exit $status
