# shellcheck shell=bash
# tests/e2e/schedule.sh - scenarios of the ways apply is scheduled: dry
# run, cut-over gates and hooks, two concurrent runs, --once from cron.
# Sourced by tests/e2e/run, whose helpers (rr, ok, not_ok, check, note,
# make_world, ...) they use.
#
#   dryrun  `apply --dry-run` on a fresh world lists the whole plan, exits 2,
#           and makes no mutating call (counted at the stand-in)
#   gates   approval (approvalFile), window, postpone file and a failing
#           beforeCutover hook each hold the cut-over (exit 3, replication
#           running, the source still writable, the alias unchanged) and
#           then release it; the hooks see their context; converges
#   lock    two concurrent applies: one acts, the other exits 5 naming the
#           holder and acts on nothing
#   once    `apply --once` repeated converges, one step per run
#   abort   a target that cannot reach the fenced source's final position
#           within cutover.timeoutSeconds: the fence is lifted, the alias
#           stays, apply exits 4; once the target catches up, apply converges
#   lag     a target that lags on purpose (RDS 'source delay') under writes
#           holds the cut-over past maxLagSeconds; once writes stop and the
#           lag falls, apply converges
#   fenced  apply fenced the source and was killed (SIGKILL): status says a
#           run that is gone fenced it, since when; apply --timeout 1 lifts
#           it at once; SIGTERM while fenced lifts it before apply exits;
#           a switch failing (Route 53 5xx) while fenced is tried again
#   purge   the freeze point's binlog purged on the source before the target
#           replicates: a new freeze point, apply converges, no write lost
#   guards  on a world held at the approval gate, with approval given: a
#           transaction held open on the source past maxTransactionSeconds,
#           then an ALTER TABLE waiting on a metadata lock, each hold the
#           cut-over (exit 3 naming the session; read_only still 0, no
#           ModifyDBParameterGroup); once they end apply converges

# The lines of a run's stdout that report an executed mutation: its
# symbol is +, ~ or - (waits are …, gates …, blocked !).
act_lines() { # FILE
	grep -cE '^[0-9:]{8} [a-z0-9-]+ [-+~] ' "$1"
}

probe() { # NAME [probe.py options]: into $WORLD/NAME.json, 0 when it ran
	local name=$1
	shift
	run_bounded 60 "$WORLD/$name.json" "$WORLD/$name.probe.err" "$PY" "$E2E/probe.py" \
		--world "$WORLD/world.json" "$@"
}

# -- dry run ------------------------------------------------------------------------
scenario_dryrun() {
	[ "$WORLD_STATE" = fresh ] || fresh_world || return 1
	awsim_reset_calls
	rr dryrun apply --dry-run "$WORLD/desired.yaml"
	awsim_calls >"$WORLD/calls-dryrun.json"
	local steps m
	steps=$(grep -cE '^[0-9:]{8} ' "$WORLD/dryrun.out")
	m=$(jq -r .mutating "$WORLD/calls-dryrun.json")
	# Every step to convergence: the build, the cut-over and the cleanup.
	if [ "$RR_RC" -eq 2 ] && [ "$steps" -ge 15 ] &&
		grep -q 'switch-alias\|point .* at' "$WORLD/dryrun.out" &&
		grep -q 'dry run' "$WORLD/dryrun.out"; then
		ok "dryrun: apply --dry-run exits 2 and lists all $steps steps"
	else
		not_ok "dryrun: apply --dry-run lists the whole plan" "exit $RR_RC (want 2), $steps step lines (want >= 15)"
		rr_diag dryrun
	fi
	check "dryrun: no mutating call ($(jq -r .total "$WORLD/calls-dryrun.json") calls)" \
		"$([ "$m" = 0 ]; echo $?)" "$m mutating: $(mutating_list "$WORLD/calls-dryrun.json")"
	# The same as JSON records: every line of stdout and stderr an object
	# with the fields the logs promise (log.h).
	rr dryrun-json --log-format json -v apply --dry-run "$WORLD/desired.yaml"
	local bad
	bad=$(cat "$WORLD/dryrun-json.out" "$WORLD/dryrun-json.err" | jq -Rr '
		(fromjson? // {bad: .}) as $o
		| if $o.bad then "not JSON: \($o.bad)"
		  elif ($o.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$") | not) then "time: \(.)"
		  elif ($o.level == null or $o.msg == null or ($o.object // "e2e") != "e2e") then "fields: \(.)"
		  else empty end' | head -n 3)
	local steps_ok
	steps_ok=$(jq -s '[.[] | select(.step == "create-temp-replica" and .resource != null and .kind == "act")] | length' \
		"$WORLD/dryrun-json.out" 2>/dev/null)
	if [ "$RR_RC" -eq 2 ] && [ -z "$bad" ] && [ "${steps_ok:-0}" -ge 1 ] &&
		[ "$(jq -s 'length' "$WORLD/dryrun-json.out")" -ge 15 ]; then
		ok "dryrun: --log-format json: one object a line with time, level, object, step, resource"
	else
		not_ok "dryrun: --log-format json records" "exit $RR_RC; $bad; create-temp-replica step records: ${steps_ok:-0}"
		rr_diag dryrun-json
	fi
}

# -- gates and hooks ----------------------------------------------------------------
# window_around OFFSET_MIN: a one-range window starting OFFSET_MIN minutes
# from now and lasting two hours, in the desired-file syntax.
window_around() {
	local from=$1
	printf '%s-%s UTC' "$(date -u -d "$from minutes" '+%a %H:%M')" \
		"$(date -u -d "$((from + 120)) minutes" '+%a %H:%M')"
}

# held NAME GATE-REGEX: the last apply exited 3 naming the gate, and the
# world is as a held cut-over must leave it.
held() {
	local name=$1 re=$2 why=
	[ "$RR_RC" -eq 3 ] || why="exit $RR_RC (want 3)"
	grep -Eq -- "$re" "$WORLD/$name.out" "$WORLD/$name.err" ||
		why="$why; no line matching /$re/"
	if probe "probe-$name"; then
		jq -e '.source_read_only == 0 and .source_write == 1' "$WORLD/probe-$name.json" >/dev/null ||
			why="$why; the source is not writable: $(cat "$WORLD/probe-$name.json")"
		jq -e '.target_io == "Yes" and .target_sql == "Yes"' "$WORLD/probe-$name.json" >/dev/null ||
			why="$why; replication is not running: $(cat "$WORLD/probe-$name.json")"
		jq -e --arg src "$(jq -r .source_address "$WORLD/world.json")" \
			'.record == $src' "$WORLD/probe-$name.json" >/dev/null ||
			why="$why; the alias moved: $(cat "$WORLD/probe-$name.json")"
	else
		why="$why; probe.py failed: $(tail -n 3 "$WORLD/probe-$name.err")"
	fi
	if [ -z "$why" ]; then
		ok "gates: $name holds the cut-over (exit 3, source writable, replicating, alias unchanged)"
	else
		not_ok "gates: $name holds the cut-over" "$why"
		rr_diag "$name"
	fi
}

scenario_gates() {
	make_world "$WORK/gates" --rows 2000 --approval manual || return 1
	local d=$WORLD/desired.yaml
	mkdir -p "$WORLD/hooks"
	# beforeCutover fails until the file 'hook-ok' exists; both hooks
	# record what they were told.
	cat >"$WORLD/hooks/before.sh" <<'EOF'
#!/bin/sh
env | grep '^RDSRECONCILE_' | sort >"$(dirname "$0")/before.env"
[ -e "$(dirname "$0")/../hook-ok" ] || { echo "before hook: not yet" >&2; exit 1; }
EOF
	cat >"$WORLD/hooks/after.sh" <<'EOF'
#!/bin/sh
env | grep '^RDSRECONCILE_' | sort >"$(dirname "$0")/after.env"
EOF
	chmod +x "$WORLD/hooks/before.sh" "$WORLD/hooks/after.sh"
	touch "$WORLD/postpone"
	# The window opens in three hours: closed now.
	sed -i "s|^  cutover:\$|  cutover:\n    approvalFile: approved\n    postponeFile: postpone\n    window: \"$(window_around 180)\"|" "$d"
	printf '  hooks:\n    beforeCutover: hooks/before.sh\n    afterCutover: hooks/after.sh\n' >>"$d"
	note "gates: $(grep -A4 '^  cutover:' "$d" | tr '\n' ' ')"
	start_writer || return 1

	# The first run, from a fresh world to the gate, logs JSON: every wait
	# it sat through ends in a "waited" record, as the text log's
	# "waited Ns" line.
	rr gate-approval --log-format json apply "$d"
	held gate-approval 'approval'
	local waited notjson
	notjson=$(jq -Rr 'fromjson? // "x" | if type == "object" then empty else "x" end' \
		"$WORLD/gate-approval.out" | wc -l)
	waited=$(jq -s '[.[] | select(.kind == "waited" and (.waits_on | length > 0)
		and (.waited_s | type == "number" and . >= 0) and .object == "e2e")] | length' \
		"$WORLD/gate-approval.out" 2>/dev/null)
	check "gates: --log-format json: $waited waited records (waits_on, waited_s), all lines JSON" \
		"$([ "$notjson" -eq 0 ] && [ "${waited:-0}" -ge 2 ]; echo $?)" \
		"$notjson non-JSON lines; $(grep -m3 waited "$WORLD/gate-approval.out")"
	[ -e "$WORLD/hooks/before.env" ] &&
		not_ok "gates: no hook runs while a gate holds" "before.env exists"

	touch "$WORLD/approved"
	rr gate-window apply "$d"
	held gate-window 'window'

	sed -i "s|^    window: .*|    window: \"$(window_around -60)\"|" "$d"
	rr gate-postpone apply "$d"
	held gate-postpone 'postpone'

	rm -f "$WORLD/postpone"
	rr gate-hook apply "$d"
	held gate-hook 'before-cutover hook .* exited 1'
	grep -q '^RDSRECONCILE_EVENT=before-cutover$' "$WORLD/hooks/before.env" 2>/dev/null &&
		grep -q '^RDSRECONCILE_OBJECT=e2e$' "$WORLD/hooks/before.env" &&
		grep -q '^RDSRECONCILE_TARGET=' "$WORLD/hooks/before.env"
	check "gates: the beforeCutover hook gets its context" $? "$(cat "$WORLD/hooks/before.env" 2>/dev/null)"

	touch "$WORLD/hook-ok"
	rr gate-open apply "$d"
	writer_stop
	if [ "$RR_RC" -eq 0 ]; then
		ok "gates: with every gate open apply converges (${RR_SECS}s)"
	else
		not_ok "gates: with every gate open apply converges" "exit $RR_RC"
		rr_diag gate-open
	fi
	grep -q '^RDSRECONCILE_EVENT=after-cutover$' "$WORLD/hooks/after.env" 2>/dev/null
	check "gates: the afterCutover hook ran after the switch" $? "$(cat "$WORLD/hooks/after.env" 2>/dev/null)"
	run_bounded 120 "$WORLD/verify.out" "$WORLD/verify.err" "$PY" "$E2E/verify.py" \
		--world "$WORLD/world.json" --writes "$WORLD/writes.jsonl"
	check "gates: verify.py passes after the held cut-over" $? "$(tail -n 5 "$WORLD/verify.out")"
	WORLD_STATE=other
}

# -- two concurrent runs --------------------------------------------------------------
scenario_lock() {
	make_world "$WORK/lock" --rows 2000 || return 1
	local d=$WORLD/desired.yaml pid_a i rc_a
	# shellcheck disable=SC2086
	timeout -k 5 "$E2E_APPLY_TIMEOUT" "$RDSRECONCILE" $E2E_RR_FLAGS apply "$d" \
		</dev/null >"$WORLD/apply-a.out" 2>"$WORLD/apply-a.err" &
	pid_a=$!
	# B starts once A holds the lock: A has run its first mutation.
	for ((i = 0; i < 600; i++)); do
		[ "$(act_lines "$WORLD/apply-a.out")" -gt 0 ] && break
		kill -0 "$pid_a" 2>/dev/null || break
		sleep 0.05
	done
	rr apply-b apply "$d"
	wait "$pid_a"
	rc_a=$?
	note "apply A -> exit $rc_a; apply B -> exit $RR_RC"
	local acts_b
	acts_b=$(act_lines "$WORLD/apply-b.out")
	if [ "$RR_RC" -eq 5 ] && [ "$acts_b" -eq 0 ] &&
		grep -Eq 'another run holds lock .*rdsreconcile:' "$WORLD/apply-b.err"; then
		ok "lock: the second apply exits 5 and acts on nothing"
		grep -m1 'another run holds' "$WORLD/apply-b.err" | diag
	else
		not_ok "lock: the second apply exits 5 and acts on nothing" "exit $RR_RC (want 5), $acts_b mutations run"
		rr_diag apply-b
	fi
	# The holder is named: the host and connection of the lock's session.
	grep -Eq 'another run holds lock .*: connection [0-9]+ ' "$WORLD/apply-b.err"
	check "lock: the message names the holder" $? "$(grep -m1 'another run' "$WORLD/apply-b.err")"
	if [ "$rc_a" -eq 0 ]; then
		ok "lock: the first apply converges undisturbed"
	else
		not_ok "lock: the first apply converges undisturbed" "exit $rc_a"
		show_tail "$WORLD/apply-a.err" 20
	fi
	WORLD_STATE=other
}

# -- --once from cron -----------------------------------------------------------------
scenario_once() {
	make_world "$WORK/once" --rows 2000 || return 1
	local d=$WORLD/desired.yaml runs=0 bad=0 acts=0 n
	local prom=$WORLD/rdsreconcile.prom first_phase=
	RR_RC=2
	while [ "$RR_RC" -eq 2 ] && [ "$runs" -lt 400 ]; do
		runs=$((runs + 1))
		rr once apply --once --metrics-file "$prom" "$d" >/dev/null
		[ -z "$first_phase" ] && first_phase=$(grep -o '^rdsreconcile_phase{object="e2e",phase="[a-z-]*"} 1$' "$prom" 2>/dev/null)
		n=$(act_lines "$WORLD/once.out")
		acts=$((acts + n))
		# The cut-over, fence to switch, runs as one unit: writes are
		# down from the fence until the alias moves.
		if [ "$n" -gt 1 ] && ! grep -q 'fence writes' "$WORLD/once.out"; then
			bad=$((bad + 1))
			cp "$WORLD/once.out" "$WORLD/once-too-many.$runs.out"
		fi
		[ "$RR_RC" -eq 2 ] && sleep 0.1
	done
	if [ "$RR_RC" -eq 0 ]; then
		ok "once: apply --once repeated converges ($runs runs, $acts mutations)"
	else
		not_ok "once: apply --once repeated converges" "last exit $RR_RC after $runs runs"
		rr_diag once
	fi
	check "once: no run took more than one step, but for the fenced cut-over" "$([ "$bad" -eq 0 ]; echo $?)" "$bad runs took more"
	# The metrics file of the first run and of the last (converged) one.
	[ -n "$first_phase" ] && [ "$first_phase" != 'rdsreconcile_phase{object="e2e",phase="done"} 1' ]
	check "once: --metrics-file gave a phase from the first run (${first_phase:-none})" $?
	grep -qx 'rdsreconcile_phase{object="e2e",phase="done"} 1' "$prom" &&
		grep -qx 'rdsreconcile_exit_code{object="e2e"} 0' "$prom" &&
		grep -Eqx 'rdsreconcile_last_success_timestamp_seconds\{object="e2e"\} [0-9]{10}' "$prom"
	check "once: --metrics-file says done, exit 0 and the last success" $? "$(grep -v '^#' "$prom" 2>/dev/null | tr '\n' ' ')"
	# status tells the last action a run took, from the state directory.
	rr once-status status --output json "$d"
	if [ "$RR_RC" -eq 0 ] &&
		"$PY" "$ROOT/tests/lib/check-json.py" status-v1.schema.json "$WORLD/once-status.out" >/dev/null 2>&1 &&
		jq -e '.objects[0].lastAction.action != null and .objects[0].lastAction.result == "ok" and .objects[0].phase == "done"' \
			"$WORLD/once-status.out" >/dev/null; then
		ok "once: status shows phase done and the last action ($(jq -r '.objects[0].lastAction.action' "$WORLD/once-status.out"))"
	else
		not_ok "once: status shows phase done and the last action" "exit $RR_RC: $(jq -c '.objects[0] | {phase, lastAction}' "$WORLD/once-status.out" 2>&1)"
	fi
	verify_check once
	WORLD_STATE=other
}

# delayed_target NAME SECONDS: build with apply --once until the next step
# starts replication on the target, then give the target RDS's 'source
# delay' so that it lags on purpose while writes arrive.
delayed_target() {
	local name=$1 secs=$2 d=$WORLD/desired.yaml runs=0
	while [ "$runs" -lt 200 ]; do
		runs=$((runs + 1))
		rr "$name-dry" apply --dry-run "$d" >/dev/null
		grep -m1 -E '^[0-9:]{8} ' "$WORLD/$name-dry.out" | grep -q "replicate '" && break
		rr "$name-once" apply --once "$d" >/dev/null
		[ "$RR_RC" -eq 2 ] || break
		sleep 0.1
	done
	if ! probe "$name-delay" --target-source-delay "$secs" ||
		! jq -e --argjson s "$secs" '.target_source_delay == $s' "$WORLD/$name-delay.json" >/dev/null; then
		not_ok "$name: set a source delay on the target" "$(tail -n 3 "$WORLD/$name-delay.probe.err")"
		rr_diag "$name-once"
		return 1
	fi
}

# -- cutover.timeoutSeconds -----------------------------------------------------------
# After the abort, once the source's group is in-sync again: "" when the
# source's own read replica is still read-only, else why not.
own_replica_read_only() {
	local ro st i addr port
	addr=$(jq -r .own_replica_address "$WORLD/world.json")
	port=$(jq -r .db_port "$WORLD/world.json")
	for ((i = 0; i < 50; i++)); do
		st=$(curl -sf "$AWSIM_URL/_awsim/instances" |
			jq -r '.instances[] | select(.id == "e2e-src") | .parameter_status')
		[ "$st" = in-sync ] && break
		sleep 0.2
	done
	ro=$(MYSQL_PWD=$(cat "$WORLD/admin.pw") mariadb -N -B -h "$addr" -P "$port" -u admin \
		-e 'SELECT @@read_only' 2>&1)
	[ "$st" = in-sync ] && [ "$ro" = 1 ] && return 0
	echo "; the source's own read replica: read_only '$ro' (group $st), want 1"
}

scenario_abort() {
	# The source has a read replica of its own: it shares the source's
	# group (not a refusal) and must stay read-only after the abort.
	make_world "$WORK/abort" --rows 2000 --cutover-timeout 3 --own-replica || return 1
	local d=$WORLD/desired.yaml why= i
	# Let the cut-over start while the target is 12 s behind.
	sed -i 's/^    maxLagSeconds: .*/    maxLagSeconds: 3600/' "$d"
	delayed_target abort 12 || return 1
	start_writer || return 1
	sleep 3
	rr abort apply "$d"
	[ "$RR_RC" -eq 4 ] || why="exit $RR_RC (want 4)"
	grep -q 'fence writes' "$WORLD/abort.out" || why="$why; the source was never fenced"
	grep -q 'lift the fence' "$WORLD/abort.out" || why="$why; no abort step"
	grep -q 'cut-over aborted' "$WORLD/abort.err" || why="$why; no message on stderr"
	if probe abort-probe; then
		jq -e --arg src "$(jq -r .source_address "$WORLD/world.json")" \
			'.source_read_only == 0 and .source_write == 1 and .record == $src and .target_io == "Yes"' \
			"$WORLD/abort-probe.json" >/dev/null || why="$why; after the abort: $(cat "$WORLD/abort-probe.json")"
	else
		why="$why; probe.py failed"
	fi
	why="$why$(own_replica_read_only)"
	if [ -z "$why" ]; then
		ok "abort: past timeoutSeconds the fence is lifted, the alias stays, the source's own replica stays read-only, exit 4"
	else
		not_ok "abort: past timeoutSeconds the fence is lifted" "$why"
		rr_diag abort
	fi
	writer_stop
	# Without new writes the delayed target catches up; then it converges.
	for ((i = 0; i < 60; i++)); do
		probe abort-wait --no-write && jq -e '.target_lag == 0' "$WORLD/abort-wait.json" >/dev/null && break
		sleep 1
	done
	rr abort-retry apply "$d"
	if [ "$RR_RC" -eq 0 ]; then
		ok "abort: run again once caught up, apply converges (${RR_SECS}s)"
	else
		not_ok "abort: run again once caught up, apply converges" "exit $RR_RC"
		rr_diag abort-retry
	fi
	verify_check abort --writes "$WORLD/writes.jsonl" --allow-no-switch
	WORLD_STATE=other
}

# -- maxLagSeconds --------------------------------------------------------------------
scenario_lag() {
	make_world "$WORK/lag" --rows 2000 || return 1
	local d=$WORLD/desired.yaml
	delayed_target lag 4 || return 1
	start_writer || return 1
	rr lag-held apply --timeout 15 "$d"
	local why=
	[ "$RR_RC" -eq 2 ] || why="exit $RR_RC (want 2: --timeout while waiting)"
	grep -q 'wait for replica lag <= 1s (now [2-9]' "$WORLD/lag-held.out" ||
		why="$why; no lag wait above 1s in the output"
	grep -q 'begin the cut-over' "$WORLD/lag-held.out" && why="$why; the cut-over began"
	if probe lag-probe; then
		jq -e '.source_read_only == 0 and .target_sql == "Yes"' "$WORLD/lag-probe.json" >/dev/null ||
			why="$why; $(cat "$WORLD/lag-probe.json")"
	else
		why="$why; probe.py failed"
	fi
	if [ -z "$why" ]; then
		ok "lag: a lag above maxLagSeconds holds the cut-over, replication running"
		grep 'wait for replica lag' "$WORLD/lag-held.out" | tail -n 1 | diag
	else
		not_ok "lag: a lag above maxLagSeconds holds the cut-over" "$why"
		rr_diag lag-held
	fi
	writer_stop
	rr lag-open apply "$d"
	if [ "$RR_RC" -eq 0 ]; then
		ok "lag: once the lag falls the cut-over runs and apply converges (${RR_SECS}s)"
	else
		not_ok "lag: once the lag falls apply converges" "exit $RR_RC"
		rr_diag lag-open
	fi
	verify_check lag --writes "$WORLD/writes.jsonl" --allow-no-switch
	WORLD_STATE=other
}

# -- a purged freeze point ------------------------------------------------------------
# The build is stopped just before start-replication (apply --once until the
# next step would replicate); then the source rotates its binlog with binlog
# retention hours NULL and the stand-in runs a purge pass, so the freeze
# point's file is gone. apply must not replicate from it (error 1236) but
# discard the target, the copy, the snapshot and the temporary replica,
# freeze again, converge, and lose no acknowledged write.
scenario_purge() {
	make_world "$WORK/purge" --rows 2000 || return 1
	local d=$WORLD/desired.yaml runs=0 why= addr port purged
	start_writer || return 1
	while [ "$runs" -lt 200 ]; do
		runs=$((runs + 1))
		rr purge-dry apply --dry-run "$d" >/dev/null
		grep -m1 -E '^[0-9:]{8} ' "$WORLD/purge-dry.out" | grep -q "replicate '" && break
		rr purge-once apply --once "$d" >/dev/null
		[ "$RR_RC" -eq 2 ] || break
		sleep 0.1
	done
	addr=$(jq -r .source_address "$WORLD/world.json")
	port=$(jq -r .db_port "$WORLD/world.json")
	MYSQL_PWD=$(cat "$WORLD/admin.pw") mariadb -N -B -h "$addr" -P "$port" -u admin -e \
		"FLUSH BINARY LOGS; CALL mysql.rds_set_configuration('binlog retention hours', NULL)" ||
		why="could not rotate the source's binlog"
	purged=$(awsim_post /_awsim/binlog-purge '{"id": "e2e-src"}' | jq -r '.purged["e2e-src"] | join(" ")')
	[ -n "$purged" ] || why="$why; the purge pass purged nothing"
	note "purged on the source: $purged"
	rr purge apply "$d"
	sleep 0.3
	writer_stop
	[ "$RR_RC" -eq 0 ] || why="$why; exit $RR_RC (want 0)"
	grep -q "delete target 'e2e-src-enc': binlog .* is purged" "$WORLD/purge.out" ||
		why="$why; the target of the purged freeze point was not discarded"
	grep -q "create temporary read replica" "$WORLD/purge.out" || why="$why; no new freeze point"
	if [ -z "$why" ]; then
		ok "purge: a purged freeze point is discarded, a new one taken, apply converges (${RR_SECS}s)"
		grep -m1 "delete target" "$WORLD/purge.out" | diag
	else
		not_ok "purge: a purged freeze point is discarded and apply converges" "$why"
		rr_diag purge
	fi
	verify_check purge --writes "$WORLD/writes.jsonl"
	WORLD_STATE=other
}

# -- a fenced source is never left down ---------------------------------------------------
# The stand-in holds the source's parameter change in 'applying' (holds kind
# parameters): once apply has fenced (ModifyDBParameterGroup read_only=1) it
# waits, fenced, for as long as the test needs; no race against its output.
fence_hold() { # SOURCE hold|release
	awsim_post /_awsim/holds "{\"$2\": [{\"kind\": \"parameters\", \"id\": \"$1\", \"status\": \"applying\"}]}" >/dev/null
}

# read_only in the source's group as the user set it: 1, 0, or None (the
# engine default, as ResetDBParameterGroup leaves it).
fence_param() { # GROUP
	aws_cli rds describe-db-parameters --db-parameter-group-name "$1" --source user \
		--query "Parameters[?ParameterName=='read_only'].ParameterValue | [0]" --output text 2>/dev/null
}

# fenced_apply NAME SIGNAL [ARGS...]: apply in the background until it has
# fenced the source, then SIGNAL it; FENCED_RC is its exit code, "" when it
# never fenced.
fenced_apply() {
	local name=$1 sig=$2 pid i pg
	shift 2
	pg=$(jq -r .param_group "$WORLD/world.json")
	FENCED_RC=
	# Not under timeout(1): the signal must reach rdsreconcile itself. The
	# loops below bound it, and pid_stop ends it.
	# shellcheck disable=SC2086
	"$RDSRECONCILE" $E2E_RR_FLAGS apply "$@" "$WORLD/desired.yaml" \
		</dev/null >"$WORLD/$name.out" 2>"$WORLD/$name.err" &
	CHILD_PID=$!
	pid=$CHILD_PID
	for ((i = 0; i < 600; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		[ "$(fence_param "$pg")" = 1 ] && break
		sleep 0.25
	done
	if [ "$(fence_param "$pg")" != 1 ] || ! kill -0 "$pid" 2>/dev/null; then
		pid_stop "$pid" 50
		CHILD_PID=
		return 1
	fi
	kill "-$sig" "$pid"
	for ((i = 0; i < 1200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		pid_stop "$pid" 50
		FENCED_RC=running
	else
		wait "$pid" 2>/dev/null
		FENCED_RC=$?
	fi
	CHILD_PID=
	return 0
}

scenario_fenced() {
	make_world "$WORK/fenced" --rows 2000 || return 1
	local pg src why i
	pg=$(jq -r .param_group "$WORLD/world.json")
	src=$(jq -r .source "$WORLD/world.json")
	start_writer || return 1
	fence_hold "$src" hold

	# A run killed outright while fenced: status names it, the next run,
	# even one given --timeout 1, lifts the fence at once.
	if ! fenced_apply fenced-kill KILL; then
		not_ok "fenced: apply fences the source" "it never did"
		rr_diag fenced-kill
		fence_hold "$src" release
		writer_stop
		return 1
	fi
	for ((i = 0; i < 40; i++)); do
		rr fenced-status status --output json "$WORLD/desired.yaml"
		jq -e '.objects[0].fence.runGone == true' "$WORLD/fenced-status.out" >/dev/null && break
		sleep 0.25
	done
	rr fenced-status-text status "$WORLD/desired.yaml"
	why=
	schema_ok status-v1.schema.json fenced-status || why="not valid against status-v1"
	jq -e '.objects[0].fence.runGone == true and (.objects[0].fence.since | type == "string")' \
		"$WORLD/fenced-status.out" >/dev/null || why="$why; fence: $(jq -c '.objects[0].fence' "$WORLD/fenced-status.out")"
	grep -q 'fenced: .*by a run that is gone' "$WORLD/fenced-status-text.out" || why="$why; no 'fenced ... by a run that is gone' line"
	if [ -z "$why" ]; then
		ok "fenced: status says the source is fenced by a run that is gone, since when"
		grep 'fenced:' "$WORLD/fenced-status-text.out" | diag
	else
		not_ok "fenced: status says the source is fenced by a run that is gone" "$why"
		rr_diag fenced-status-text
	fi
	rr fenced-timeout apply --timeout 1 "$WORLD/desired.yaml"
	why=
	[ "$RR_RC" -eq 4 ] || why="exit $RR_RC (want 4)"
	grep -q -- '--timeout with the source fenced' "$WORLD/fenced-timeout.err" || why="$why; no word of the fence on stderr"
	grep -q 'cut-over aborted' "$WORLD/fenced-timeout.err" || why="$why; not aborted"
	[ "$(fence_param "$pg")" != 1 ] || why="$why; read_only still 1 in $pg"
	if [ -z "$why" ]; then
		ok "fenced: a later apply --timeout 1 lifts the fence a killed run left (exit 4)"
	else
		not_ok "fenced: a later apply --timeout 1 lifts the fence a killed run left" "$why"
		rr_diag fenced-timeout
	fi

	# SIGTERM while fenced: the run lifts the fence before it exits.
	if fenced_apply fenced-term TERM; then
		why=
		[ "$FENCED_RC" = 4 ] || why="exit $FENCED_RC (want 4)"
		grep -q 'SIGTERM with the source fenced' "$WORLD/fenced-term.err" || why="$why; no word of the fence on stderr"
		grep -q 'cut-over aborted' "$WORLD/fenced-term.err" || why="$why; not aborted"
		[ "$(fence_param "$pg")" != 1 ] || why="$why; read_only still 1 in $pg"
	else
		why="it never fenced"
	fi
	if [ -z "$why" ]; then
		ok "fenced: SIGTERM while fenced lifts the fence before apply exits (exit 4)"
	else
		not_ok "fenced: SIGTERM while fenced lifts the fence before apply exits" "$why"
		rr_diag fenced-term
	fi

	# Route 53 failing the switch past the client's retries (4 x 5xx), with
	# the source fenced: the run tries again rather than exit fenced.
	fence_hold "$src" release
	awsim_post /_awsim/faults '{"error5xx": {"count": 4, "action": "ChangeResourceRecordSets"}}' >/dev/null
	rr fenced-done apply "$WORLD/desired.yaml"
	why=
	[ "$RR_RC" -eq 0 ] || why="exit $RR_RC (want 0)"
	grep -q 'switch-alias failed' "$WORLD/fenced-done.err" || why="$why; the switch never failed"
	if [ -z "$why" ]; then
		ok "fenced: a switch that fails while fenced is tried again; apply converges in one run (${RR_SECS}s)"
	else
		not_ok "fenced: a switch that fails while fenced is tried again" "$why"
		rr_diag fenced-done
	fi
	sleep 0.3
	writer_stop
	verify_check fenced --writes "$WORLD/writes.jsonl"
	WORLD_STATE=other
}

# -- guardrails before the fence ------------------------------------------------------
# src_sql SQL...: the mariadb client on the source as admin (batch, no
# column names), bounded in time; the password from the 0600 file, never argv.
src_sql() {
	MYSQL_PWD=$(cat "$WORLD/admin.pw") timeout 30 mariadb -N -B \
		-h "$(jq -r .source_address "$WORLD/world.json")" \
		-P "$(jq -r .db_port "$WORLD/world.json")" -u admin "$@"
}

# src_wait SQL WANT-REGEX: poll SQL on the source (0.2 s, up to 30 s) until
# its output matches; 0 when it did.
src_wait() {
	local i out
	for ((i = 0; i < 150; i++)); do
		out=$(src_sql -e "$1" 2>/dev/null)
		[[ $out =~ $2 ]] && return 0
		sleep 0.2
	done
	note "src_wait: '$1' gave '$out', want /$2/"
	return 1
}

GUARD_PIDS=
guards_stop() {
	local p
	exec 7>&-
	for p in $GUARD_PIDS; do kill "$p" 2>/dev/null; done
	for p in $GUARD_PIDS; do wait "$p" 2>/dev/null; done
	GUARD_PIDS=
}

# unfenced NAME: nothing of the fence happened during run NAME: the
# source's read_only is still 0 and no ModifyDBParameterGroup was sent.
unfenced() {
	local name=$1 why='' n
	awsim_calls >"$WORLD/calls-$name.json"
	n=$(jq '[.calls[] | select(.action == "ModifyDBParameterGroup")] | length' "$WORLD/calls-$name.json")
	[ "$n" = 0 ] || why="$n ModifyDBParameterGroup calls"
	[ "$(src_sql -e 'SELECT @@global.read_only')" = 0 ] || why="$why; source read_only is not 0"
	grep -q 'begin the cut-over\|fence writes' "$WORLD/$name.out" && why="$why; a cut-over step ran"
	check "guards: $name: nothing fenced (read_only 0, no ModifyDBParameterGroup; $(jq -r .mutating "$WORLD/calls-$name.json") mutating calls)" \
		"$([ -z "$why" ]; echo $?)" "$why"
}

scenario_guards() {
	make_world "$WORK/guards" --rows 2000 --approval manual || return 1
	local d=$WORLD/desired.yaml tid sid aid age
	sed -i 's|^  cutover:$|  cutover:\n    approvalFile: approved\n    maxTransactionSeconds: 2|' "$d"
	note "guards: $(grep -A4 '^  cutover:' "$d" | tr '\n' ' ')"
	# Built and caught up, held at approval: a converged-to-gate world.
	rr guards-gate apply "$d"
	held guards-gate 'approval'
	touch "$WORLD/approved"

	# A transaction held open by a client that reads its statements from
	# a FIFO; its age is ours to decide: wait until it is past the bound.
	mkfifo "$WORLD/trx.fifo"
	src_sql -n <"$WORLD/trx.fifo" >"$WORLD/trx.out" 2>"$WORLD/trx.err" &
	GUARD_PIDS="$GUARD_PIDS $!"
	exec 7>"$WORLD/trx.fifo"
	echo "CREATE DATABASE IF NOT EXISTS guard;
CREATE TABLE IF NOT EXISTS guard.t (id INT PRIMARY KEY) ENGINE=InnoDB;
CREATE TABLE IF NOT EXISTS guard.m (id INT PRIMARY KEY) ENGINE=MEMORY;
INSERT IGNORE INTO guard.m VALUES (1);
START TRANSACTION; INSERT INTO guard.t VALUES (1); SELECT CONNECTION_ID();" >&7
	if ! src_wait "SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE TIMESTAMPDIFF(SECOND, trx_started, NOW()) >= 3" '^[1-9]'; then
		not_ok "guards: a transaction held open on the source" "$(cat "$WORLD/trx.err")"
		guards_stop
		return 1
	fi
	tid=$(head -n 1 "$WORLD/trx.out")
	age=$(src_sql -e "SELECT MAX(TIMESTAMPDIFF(SECOND, trx_started, NOW())) FROM information_schema.INNODB_TRX")
	note "guards: transaction of thread $tid open ${age}s (bound 2s)"
	awsim_reset_calls
	rr guards-trx apply "$d"
	held guards-trx "transaction open [0-9]+s on the source \(maxTransactionSeconds 2\): thread $tid of 'admin'@'[0-9.]+:[0-9]+', RUNNING"
	grep -m1 'gate transaction\|transaction open' "$WORLD/guards-trx.out" | diag
	unfenced guards-trx

	# Committed, the transaction no longer holds.  Then DDL: an ALTER
	# TABLE waits on the metadata lock of a long SELECT (a MEMORY table:
	# no InnoDB transaction, so only the DDL guard can hold).
	echo "COMMIT;" >&7
	exec 7>&-
	src_sql -e "SELECT SLEEP(120) FROM guard.m" >/dev/null 2>"$WORLD/sleep.err" &
	GUARD_PIDS="$GUARD_PIDS $!"
	src_wait "SELECT ID FROM information_schema.PROCESSLIST WHERE STATE = 'User sleep'" '^[0-9]+$' || {
		not_ok "guards: a SELECT holds guard.m's metadata lock" "$(cat "$WORLD/sleep.err")"; guards_stop; return 1; }
	sid=$(src_sql -e "SELECT ID FROM information_schema.PROCESSLIST WHERE STATE = 'User sleep'")
	src_sql -e "SET SESSION lock_wait_timeout = 120; ALTER TABLE guard.m ADD COLUMN c INT" \
		>/dev/null 2>"$WORLD/alter.err" &
	GUARD_PIDS="$GUARD_PIDS $!"
	src_wait "SELECT ID FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock'" '^[0-9]+$' || {
		not_ok "guards: an ALTER TABLE waits on the metadata lock" "$(cat "$WORLD/alter.err")"; guards_stop; return 1; }
	aid=$(src_sql -e "SELECT ID FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock'")
	awsim_reset_calls
	rr guards-ddl apply "$d"
	held guards-ddl "DDL on the source: thread $aid of 'admin'@'[0-9.]+:[0-9]+', [0-9]+s, ALTER, Waiting for table metadata lock"
	grep -m1 'DDL on the source' "$WORLD/guards-ddl.out" | diag
	if grep -q 'ADD COLUMN' "$WORLD/guards-ddl.out" "$WORLD/guards-ddl.err"; then
		not_ok "guards: the DDL is named by its first word, never its text" "$(grep -m1 'ADD COLUMN' "$WORLD/guards-ddl.out" "$WORLD/guards-ddl.err")"
	else
		ok "guards: the DDL is named by its first word, never its text"
	fi
	unfenced guards-ddl

	# The SELECT ends (its own account may end its query), the ALTER runs:
	# nothing holds, the cut-over proceeds.
	src_sql -e "KILL QUERY $sid"
	src_wait "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE STATE = 'Waiting for table metadata lock' OR ID = $sid AND COMMAND = 'Query'" '^0$'
	guards_stop
	rr guards-open apply "$d"
	if [ "$RR_RC" -eq 0 ]; then
		ok "guards: with the transaction committed and the DDL done apply converges (${RR_SECS}s)"
	else
		not_ok "guards: with the transaction committed and the DDL done apply converges" "exit $RR_RC"
		rr_diag guards-open
	fi
	verify_check guards
	WORLD_STATE=other
}
