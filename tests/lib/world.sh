# shellcheck shell=bash
# tests/lib/world.sh - build a test world on the stand-in and drive a write
# load through its alias.  Sourced after tests/lib/awsim.sh by
# tests/e2e/run, tests/bench/run and contrib/demo (bash only).
#
#   world_make DIR [fixture.py args...]   reset the stand-in, run fixture.py
#   writer_start DIR                      writer.py on DIR/world.json; returns
#                                         after its first acknowledged commit;
#                                         from $WRITER_BIND's address if set
#   writer_stop                           SIGTERM, wait; DIR/writer.json holds
#                                         the summary
#   run_bounded SECS OUT ERR CMD...       CMD in the background (so our traps
#                                         run at once), at most SECS seconds
#   child_stop                            stop what run_bounded runs now
#   writer_figures DIR                    one line of the writer's figures
#   replwatch_start DIR / replwatch_stop  replwatch.py on DIR/world.json while
#                                         apply runs; DIR/replwatch.json
#   replwatch_problems DIR                what replwatch saw that is wrong, one
#                                         line each (none: fine)
#   watchdog_start SECS [MESSAGE]         SIGTERM this shell after SECS
#   watchdog_stop
#
# Every process is stopped by PID; both stops are registered with the exit
# trap of awsim.sh.  Nothing here prints a password: fixture.py keeps it in
# DIR/admin.pw (0600) and the Python scripts read it from there.

WORLD_PY=/usr/bin/python3
WORLD_E2E=${AWSIM_ROOT:?source tests/lib/awsim.sh first}/tests/e2e
CHILD_PID=
WRITER_PID=
REPLWATCH_PID=

run_bounded() {
	local secs=$1 out=$2 err=$3 rc
	shift 3
	timeout -k 5 "$secs" "$@" </dev/null >"$out" 2>"$err" &
	CHILD_PID=$!
	wait "$CHILD_PID"
	rc=$?
	CHILD_PID=
	return "$rc"
}

# pid_stop PID TENTHS: SIGTERM, up to TENTHS tenths of a second to go,
# then SIGKILL; reaps it.  An empty PID is nothing to stop.
pid_stop() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < $2; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

child_stop() {
	local pid=$CHILD_PID
	[ -n "$pid" ] || return 0
	CHILD_PID=
	pid_stop "$pid" 100
}

# world_make DIR [fixture args]: 0 when the world is ready; fixture.py's
# output is in DIR/fixture.{out,err}.
world_make() {
	local dir=$1
	shift
	mkdir -p "$dir"
	writer_stop
	awsim_reset || { echo "world: POST /_awsim/reset failed" >>"$dir/fixture.err"; return 1; }
	run_bounded "${WORLD_FIXTURE_TIMEOUT:-120}" "$dir/fixture.out" "$dir/fixture.err" \
		"$WORLD_PY" "$WORLD_E2E/fixture.py" --workdir "$dir" \
		--rdsreconcile "${RDSRECONCILE:?}" "$@"
}

# writer_start DIR [INTERVAL]: 0 once the writer has committed through the
# alias (at most 10 s); its log is DIR/writer.log.
writer_start() {
	local dir=$1 i
	writer_stop
	rm -f "$dir/writer.ready"
	"$WORLD_PY" "$WORLD_E2E/writer.py" --world "$dir/world.json" --out "$dir/writes.jsonl" \
		--summary "$dir/writer.json" --ready-file "$dir/writer.ready" \
		--interval "${2:-0.01}" ${WRITER_BIND:+--bind "$WRITER_BIND"} \
		</dev/null >"$dir/writer.log" 2>&1 &
	WRITER_PID=$!
	for ((i = 0; i < 200; i++)); do
		[ -e "$dir/writer.ready" ] && return 0
		kill -0 "$WRITER_PID" 2>/dev/null || break
		sleep 0.05
	done
	writer_stop
	return 1
}

writer_stop() {
	local pid=$WRITER_PID
	[ -n "$pid" ] || return 0
	WRITER_PID=
	pid_stop "$pid" 150
}

writer_figures() {
	[ -s "$1/writer.json" ] || { echo "no writer summary"; return 0; }
	jq -r '"commits \(.commits) (\(.inserts) inserts, \(.updates) updates, \(.commits_per_s)/s), errors \(.errors), in doubt \(.in_doubt); write-unavailability window \(.max_gap_ms) ms from \(.max_gap_start)"' "$1/writer.json"
}

replwatch_start() {
	replwatch_stop
	rm -f "$1/replwatch.json"
	"$WORLD_PY" "$WORLD_E2E/replwatch.py" --world "$1/world.json" --out "$1/replwatch.json" \
		</dev/null >"$1/replwatch.log" 2>&1 &
	REPLWATCH_PID=$!
}

replwatch_stop() {
	local pid=$REPLWATCH_PID
	[ -n "$pid" ] || return 0
	REPLWATCH_PID=
	pid_stop "$pid" 100
}

# While the target replicated: the replication user existed only for the
# target's address, the source's Binlog Dump came from there, and the
# channel was encrypted when the source offers TLS.
replwatch_problems() {
	local f=$1/replwatch.json
	[ -s "$f" ] || { echo "no replwatch summary (see replwatch.log)"; return 0; }
	jq -r '
	    (.target_address // "?") as $t |
	    (if .replicating_polls > 0 then empty else
	        "never saw the target replicate (\(.polls) polls, \(.errors) errors)" end),
	    (if .target_address == null then "never saw the target available" else empty end),
	    (if .user_hosts == [] then "never saw the replication user" else empty end),
	    (.user_hosts[] | select(. != [$t]) |
	        "replication user hosts \(.) (want only the target address \($t))"),
	    (.dump_addresses[] | select(. != $t) |
	        "a Binlog Dump of the replication user from \(.) (want \($t))"),
	    (if .source_have_ssl == "YES" and .ssl_allowed != ["Yes"] then
	        "source offers TLS but Master_SSL_Allowed was \(.ssl_allowed)" else empty end)
	' "$f"
}

replwatch_figures() {
	[ -s "$1/replwatch.json" ] || { echo "no replwatch summary"; return 0; }
	jq -r '"\(.polls) polls, \(.replicating_polls) while replicating; user hosts \(.user_hosts), dumps from \(.dump_addresses), have_ssl \(.source_have_ssl), Master_SSL_Allowed \(.ssl_allowed)"' "$1/replwatch.json"
}

# secret_leaks DIR FILE...: the files under DIR (but not the secret files
# themselves) holding any line of the given secret files; prints file names
# only, never the secret.  Returns 0 when there is none.
secret_leaks() {
	local dir=$1 f hits=
	shift
	for f in "$@"; do
		[ -s "$f" ] || continue
		hits+=$(grep -rlF -f "$f" --exclude="$(basename "$f")" "$dir" 2>/dev/null)
	done
	[ -z "$hits" ] && return 0
	printf '%s\n' "$hits" | sort -u
	return 1
}

WATCHDOG_PID=
watchdog_start() {
	local secs=$1 msg=${2:-deadline of $1 s reached} me=$$
	watchdog_stop
	(
		trap 'kill "$sp" 2>/dev/null; exit 0' TERM
		sleep "$secs" &
		sp=$!
		wait "$sp" || exit 0
		echo "$msg" >&2
		kill -TERM "$me"
	) &
	WATCHDOG_PID=$!
}

watchdog_stop() {
	[ -n "$WATCHDOG_PID" ] || return 0
	kill -TERM "$WATCHDOG_PID" 2>/dev/null
	wait "$WATCHDOG_PID" 2>/dev/null
	WATCHDOG_PID=
}

awsim_at_exit 'child_stop; writer_stop; replwatch_stop; watchdog_stop'
