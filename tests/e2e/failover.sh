# shellcheck shell=bash
# tests/e2e/failover.sh - the Multi-AZ failover scenarios of tests/e2e/run
# (sourced by it; uses its helpers: make_world, rr, check, verify, ...).
#
#   failover-target  the target fails over while it catches up: its
#                    endpoint name now leads to a new address, the
#                    replication user on the source (made for the old one)
#                    refuses its I/O thread; apply re-creates the user for
#                    the new address and converges; no acknowledged write
#                    lost (verify.py)
#   failover-source  the source fails over while the target catches up:
#                    replication was given the source's endpoint name, so
#                    the I/O thread reconnects to the new address; apply
#                    converges; no acknowledged write lost
#
# Both need endpoint names: the stand-in is restarted once with
# --endpoint-names, and every program run from then on (rdsreconcile,
# fixture.py, writer.py, verify.py) resolves them through srcaddr.so, as the
# servers do (GET /_awsim/resolver).  The moment is chosen by the approval
# gate: the first apply stops there (exit 3) with the target replicating and
# the writer still writing to the source; the failover comes then, and the
# second apply (--approve-cutover) must deal with it.

FAILOVER_STANDIN=

failover_standin() {
	[ -n "$FAILOVER_STANDIN" ] && return 0
	awsim_stop
	AWSIM_EXTRA_ARGS=--endpoint-names awsim_start "$AWSIM_TIME_SCALE" || {
		not_ok "failover: a stand-in with --endpoint-names starts"
		return 1
	}
	local r
	r=$(awsim_get /_awsim/resolver) || { not_ok "failover: GET /_awsim/resolver"; return 1; }
	LD_PRELOAD=$(printf '%s' "$r" | jq -r .preload)
	AWSIM_HOSTS=$(printf '%s' "$r" | jq -r .hosts)
	export LD_PRELOAD AWSIM_HOSTS
	# srcaddr.so comes before the ASan runtime in the list: allowed.
	export ASAN_OPTIONS=$ASAN_OPTIONS:verify_asan_link_order=0
	FAILOVER_STANDIN=1
	note "failover: stand-in at $AWSIM_URL with endpoint names"
}

# The address the stand-in's resolver gives for NAME now.
failover_addr() { awsim_get "/_awsim/resolve?name=$1" | jq -r '.addresses[0] // empty'; }

failover_describe() { # ID QUERY
	aws_cli rds describe-db-instances --db-instance-identifier "$1" --query "$2" --output text
}

# scenario_failover WHICH: WHICH (target|source) fails over during catch-up.
scenario_failover() {
	local which=$1 label="failover-$1" id name before after t0
	failover_standin || return 1
	make_world "$WORK/$label" --rows "$((E2E_ROWS / 10))" --approval manual --multi-az || return 1
	start_writer || return 1
	rr "$label-gate" apply "$WORLD/desired.yaml"
	if [ "$RR_RC" -ne 3 ]; then
		not_ok "$label: the first apply stops at the approval gate (exit 3)" "exit $RR_RC"
		rr_diag "$label-gate"
		writer_stop
		return 1
	fi
	id=$(jq -r ".$which" "$WORLD/world.json")
	name=$(failover_describe "$id" 'DBInstances[0].Endpoint.Address')
	check "$label: '$id' is Multi-AZ, its endpoint a name" \
		"$([ "$(failover_describe "$id" 'DBInstances[0].MultiAZ')" = True ] &&
			case $name in *.awsim.test) true ;; *) false ;; esac; echo $?)" "endpoint $name"
	before=$(failover_addr "$name")
	t0=$SECONDS
	awsim_post /_awsim/faults "{\"failover\": \"$id\"}" >/dev/null
	aws_cli rds wait db-instance-available --db-instance-identifier "$id"
	after=$(failover_addr "$name")
	check "$label: '$name' now resolves to a new address ($before -> $after, $((SECONDS - t0))s)" \
		"$([ -n "$after" ] && [ "$after" != "$before" ]; echo $?)"
	if [ "$which" = source ]; then
		# rds_set_external_master was given the source's name: the
		# target's I/O thread finds it at its new address.
		local tgt host io i
		tgt=$(jq -r .target "$WORLD/world.json")
		for i in $(seq 1 100); do
			read -r host io <<<"$(awsim_get /_awsim/instances | jq -r --arg t "$tgt" \
				'.instances[] | select(.id == $t) | "\(.replication.Master_Host) \(.replication.Slave_IO_Running)"')"
			[ "$io" = Yes ] && break
			sleep 0.1
		done
		check "$label: the target's I/O thread reconnects to '$host' (${i}x0.1s)" \
			"$([ "$host" = "$name" ] && [ "$io" = Yes ]; echo $?)" "Master_Host $host, Slave_IO_Running $io"
	fi
	if [ "$which" = target ]; then
		# Deterministic whatever the I/O thread did meanwhile: the user's
		# host is the old address, the plan moves it.
		rr "$label-diff" diff "$WORLD/desired.yaml"
		check "$label: diff plans the replication user for the new address" \
			"$(grep -q "re-create replication user .* for the target's address $after" \
				"$WORLD/$label-diff.out"; echo $?)" "$(head -n 5 "$WORLD/$label-diff.out")"
	fi
	rr "$label-apply" apply --approve-cutover "$WORLD/desired.yaml"
	sleep 0.3   # commits on the target after the switch
	writer_stop
	if [ "$RR_RC" -eq 0 ]; then
		ok "$label: apply converges after the failover (${RR_SECS}s)"
	else
		not_ok "$label: apply converges after the failover" "exit $RR_RC after ${RR_SECS}s"
		rr_diag "$label-apply"
	fi
	grep -E "re-create replication user|reconnect" "$WORLD/$label-apply.out" | head -n 4 | diag
	run_bounded 120 "$WORLD/verify.out" "$WORLD/verify.err" "$PY" "$E2E/verify.py" \
		--world "$WORLD/world.json" --writes "$WORLD/writes.jsonl"
	local vrc=$?
	check "$label: verify.py passes (no acknowledged write lost)" "$vrc" "$(tail -n 5 "$WORLD/verify.out")"
	[ "$vrc" -eq 0 ] && diag <"$WORLD/verify.out"
	note "writer: $(writer_figures "$WORLD")"
}
