# shellcheck shell=bash
# tests/lib/awsim.sh - start, talk to and stop the local AWS stand-in.
#
# Sourced by tests/e2e/run, tests/bench/run and contrib/demo (bash only):
#
#   . tests/lib/awsim.sh
#   awsim_start [TIME_SCALE]     # default $AWSIM_TIME_SCALE or 0.02
#   aws_cli rds describe-db-instances
#   awsim_calls | jq .counts
#   awsim_stop                   # also run by the exit trap
#
# awsim_start runs tests/awsim/awsim.py with a fresh mktemp state directory,
# port 0 and a ready file, waits at most AWSIM_START_TIMEOUT (15) seconds,
# and exports the standard AWS variables so that rdsreconcile, botocore and
# /usr/bin/aws all talk to it and to nothing else:
#   AWS_ENDPOINT_URL AWSIM_URL AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
#   AWS_REGION=us-east-1 AWS_DEFAULT_REGION AWS_CONFIG_FILE=/dev/null
#   AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=
# AWSIM_EXTRA_ARGS adds options (e.g. --endpoint-names) to the stand-in's command.
# The stand-in's request log goes to $AWSIM_LOG (default: inside its
# directory, removed at stop; set AWSIM_LOG to keep it).
#
# Every program is called by full path: a pip aws and a pyenv python come
# earlier on PATH and lack Debian's botocore models and pymysql.
#
# Cleanup: awsim_at_exit CMD registers CMD to run (last registered first)
# from the EXIT/INT/TERM trap this file installs, before the stand-in is
# stopped.  Scripts that source this file must not replace that trap.

PYTHON3=/usr/bin/python3
AWS_BIN=/usr/bin/aws
CURL=/usr/bin/curl

AWSIM_ROOT=${AWSIM_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
AWSIM_PY=${AWSIM_PY:-$AWSIM_ROOT/tests/awsim/awsim.py}
AWSIM_START_TIMEOUT=${AWSIM_START_TIMEOUT:-15}
AWSIM_STOP_TIMEOUT=${AWSIM_STOP_TIMEOUT:-30}
AWSIM_PID=
AWSIM_DIR=
AWSIM_URL=
_AWSIM_EXIT_HOOKS=()

# Default credentials of the stand-in (not real ones).
AWSIM_ACCESS_KEY=${AWSIM_ACCESS_KEY:-AKIDAWSIMEXAMPLE}
AWSIM_SECRET_KEY=${AWSIM_SECRET_KEY:-awsim-secret-key-not-real}

awsim__log() { printf '%s\n' "$*" >&2; }

# Random loopback /24 for the DB instances, so two runs on one machine
# (two engineers, CI and a demo) do not fight over 127.0.10.x.
awsim__ip_base() {
	printf '127.%d.%d.2' $((RANDOM % 200 + 20)) $((RANDOM % 250 + 1))
}

# awsim_start [TIME_SCALE]
awsim_start() {
	local scale=${1:-${AWSIM_TIME_SCALE:-0.02}} deadline url
	if [ -n "$AWSIM_PID" ]; then
		awsim__log "awsim: already running (pid $AWSIM_PID)"
		return 1
	fi
	AWSIM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/awsim.XXXXXX") || return 1
	: "${AWSIM_LOG:=$AWSIM_DIR/awsim.log}"
	# The state dir must not exist yet: awsim then owns it and removes it
	# when it stops.
	"$PYTHON3" "$AWSIM_PY" --port 0 --state-dir "$AWSIM_DIR/state" \
		--time-scale "$scale" --ready-file "$AWSIM_DIR/ready" \
		--log "$AWSIM_LOG" --ip-base "${AWSIM_IP_BASE:-$(awsim__ip_base)}" \
		--db-port "${AWSIM_DB_PORT:-0}" ${AWSIM_EXTRA_ARGS:-} \
		--credentials "$AWSIM_ACCESS_KEY:$AWSIM_SECRET_KEY" \
		</dev/null >>"$AWSIM_LOG" 2>&1 &
	AWSIM_PID=$!
	deadline=$((SECONDS + AWSIM_START_TIMEOUT))
	while [ ! -s "$AWSIM_DIR/ready" ]; do
		if ! kill -0 "$AWSIM_PID" 2>/dev/null; then
			awsim__log "awsim: exited during start; log tail:"
			tail -n 30 "$AWSIM_LOG" >&2
			wait "$AWSIM_PID" 2>/dev/null
			AWSIM_PID=
			return 1
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			awsim__log "awsim: not ready after ${AWSIM_START_TIMEOUT}s; log tail:"
			tail -n 30 "$AWSIM_LOG" >&2
			awsim_stop
			return 1
		fi
		sleep 0.05
	done
	url=$(head -n 1 "$AWSIM_DIR/ready")
	AWSIM_URL=$url
	export AWSIM_URL AWS_ENDPOINT_URL=$url
	export AWS_ACCESS_KEY_ID=$AWSIM_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$AWSIM_SECRET_KEY
	unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_PROFILE AWS_CA_BUNDLE
	unset AWS_ENDPOINT_URL_RDS AWS_ENDPOINT_URL_KMS AWS_ENDPOINT_URL_ROUTE_53 AWS_ENDPOINT_URL_STS
	export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
	export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_PAGER=
	export AWS_EC2_METADATA_DISABLED=true
	# The health endpoint answers once the HTTP server is serving.
	while ! "$CURL" -fsS -m 2 "$AWSIM_URL/_awsim/health" >/dev/null 2>&1; do
		if [ "$SECONDS" -ge "$deadline" ] || ! kill -0 "$AWSIM_PID" 2>/dev/null; then
			awsim__log "awsim: $AWSIM_URL does not answer; log tail:"
			tail -n 30 "$AWSIM_LOG" >&2
			awsim_stop
			return 1
		fi
		sleep 0.05
	done
	return 0
}

# PIDs of every descendant of $1 (the mariadbd servers run in their own
# sessions, so only the parent links find them).
awsim__descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
	    { parent[$1] = $2 }
	    END {
		n = 1; want[root] = 1
		while (n) {
			n = 0
			for (p in parent)
				if (!(p in want) && (parent[p] in want)) { want[p] = 1; n = 1; print p }
		}
	    }'
}

# awsim_stop: SIGTERM the stand-in (it stops its mariadbd children and
# removes its state dir), wait; SIGKILL it and whatever it left behind
# after AWSIM_STOP_TIMEOUT seconds.  Idempotent.
awsim_stop() {
	local pid=$AWSIM_PID deadline p
	[ -n "$pid" ] || { awsim__rmdir; return 0; }
	AWSIM_PID=
	local kids
	kids=$(awsim__descendants "$pid")
	kill -TERM "$pid" 2>/dev/null
	deadline=$((SECONDS + AWSIM_STOP_TIMEOUT))
	while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		awsim__log "awsim: pid $pid did not stop in ${AWSIM_STOP_TIMEOUT}s; killing it"
		kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	# Children it could not stop: only those still running from its state
	# dir (a recycled PID is someone else's process).
	for p in $kids; do
		if [ -r "/proc/$p/cmdline" ] &&
		    tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$AWSIM_DIR/"; then
			awsim__log "awsim: killing leftover pid $p"
			kill -KILL "$p" 2>/dev/null
		fi
	done
	awsim__rmdir
	return 0
}

awsim__rmdir() {
	if [ -n "$AWSIM_DIR" ] && [ -d "$AWSIM_DIR" ]; then
		rm -rf "$AWSIM_DIR"
	fi
	AWSIM_DIR=
}

# aws_cli ARGS...: Debian's AWS CLI against the stand-in, JSON output.
aws_cli() {
	"$AWS_BIN" --endpoint-url "$AWS_ENDPOINT_URL" --output json "$@"
}

# awsim_get PATH / awsim_post PATH [JSON]: the control interface.
awsim_get() {
	"$CURL" -fsS -m "${AWSIM_HTTP_TIMEOUT:-30}" "$AWSIM_URL$1"
}
awsim_post() {
	"$CURL" -fsS -m "${AWSIM_HTTP_TIMEOUT:-60}" -X POST \
		-H 'Content-Type: application/json' --data "${2:-{\}}" "$AWSIM_URL$1"
}

# awsim_calls: the AWS calls seen so far, as JSON:
#   {"total": N, "mutating": N, "counts": {"rds.CreateDBSnapshot": 1, ...}, "calls": [...]}
awsim_calls() { awsim_get /_awsim/calls; }
# awsim_reset_calls: forget the calls seen so far.
awsim_reset_calls() { awsim_get '/_awsim/calls?reset=1' >/dev/null; }
# awsim_reset: forget every resource (stops their servers) and the calls.
awsim_reset() { awsim_post /_awsim/reset '{}' >/dev/null; }
# awsim_state: instances, snapshots, keys, zones as JSON.
awsim_state() { awsim_get /_awsim/state; }
# awsim_mutating: how many mutating calls were seen since the last reset.
awsim_mutating() { awsim_calls | jq -r '.mutating'; }
# awsim_calls_table [JSON]: "  N  service.Action" lines, most first.
awsim_calls_table() {
	local json=${1:-$(awsim_calls)}
	jq -r '.counts | to_entries | sort_by(-.value, .key) | .[] |
	    "  \(.value|tostring|(" " * (4 - length)) + .)  \(.key)"' <<<"$json"
}

# awsim_at_exit CMD: run CMD (eval'd) from the exit trap, newest first;
# $AWSIM_EXIT_RC holds the exit status the script is leaving with.
awsim_at_exit() { _AWSIM_EXIT_HOOKS+=("$1"); }

awsim__on_exit() {
	local rc=$? i
	trap - EXIT INT TERM
	# shellcheck disable=SC2034 # read by the hooks
	AWSIM_EXIT_RC=$rc
	for ((i = ${#_AWSIM_EXIT_HOOKS[@]} - 1; i >= 0; i--)); do
		eval "${_AWSIM_EXIT_HOOKS[$i]}" || true
	done
	_AWSIM_EXIT_HOOKS=()
	awsim_stop
	return "$rc"
}

trap 'awsim__on_exit' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
