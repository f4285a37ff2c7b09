/*
 * test-plan.c - the planner against the case table in tests/plan/.
 *
 * Each directory tests/plan/<case>/ (RDSR_PLAN_CASES overrides the path,
 * relative to the repository root, where make unit runs) holds a desired
 * file, an observation as JSON and the exact plan_all() output expected;
 * tests/plan/README.md describes the format.  One TAP line per case; a
 * difference is printed as a diff.  With UPDATE_EXPECTED=1 the expected
 * files are rewritten from what the planner says (review them before
 * committing: they are the safety case), except those marked with a
 * "# FINDING" comment, which say what the planner should do.
 *
 * Then properties over every case's step list (deterministic, the cut-over
 * order of DESIGN.md §2), the JSON form of struct observed and the binlog
 * coordinate order.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "desired.h"
#include "observe.h"
#include "observed_json.h"
#include "plan.h"
#include "xmalloc.h"
#include "tap.h"

#define DEFAULT_CASES	"tests/plan"
#define MAX_STEPS	40
#define MAX_COMMENTS	64	/* comment lines kept by UPDATE_EXPECTED */
#define FRESH_CASE	"fresh-start"

struct pcase {
	char *name;
	struct desired *d;
	struct observed o;
	struct step steps[MAX_STEPS];
	size_t n;
};

/* The line form of one step, as tests/plan/README.md describes it. */
static void
format_step(const struct step *s, char *buf, size_t size)
{
	char at[160] = "";

	if (s->pos.file[0] != '\0')
		snprintf(at, sizeof(at), " [at %s:%llu]", s->pos.file,
		    (unsigned long long)s->pos.pos);
	switch (s->kind) {
	case STEP_ACT:
		snprintf(buf, size, "%s act %s: %s%s", step_symbol(s),
		    action_name(s->action), s->what, at);
		break;
	case STEP_WAIT:
		snprintf(buf, size, "%s wait %s: %s%s", step_symbol(s),
		    wait_name(s->wait), s->what, at);
		break;
	case STEP_GATE:
		snprintf(buf, size, "%s gate %s: %s%s", step_symbol(s),
		    wait_name(s->wait), s->what, at);
		break;
	case STEP_BLOCKED:
		snprintf(buf, size, "%s blocked: %s%s", step_symbol(s),
		    s->what, at);
		break;
	case STEP_CONVERGED:
		snprintf(buf, size, "%s converged: %s%s", step_symbol(s),
		    s->what, at);
		break;
	}
}

/*
 * The action table (action.h): entry i says it is action i, and none has
 * an empty field, so a line out of order or half filled fails here (a
 * missing line fails the build).
 */
static void
check_action_table(void)
{
	int i, j, whole = 1, unique = 1;

	ok(action_get(ACT_NONE) == NULL && action_get(ACT__COUNT) == NULL,
	    "action table: no entry for ACT_NONE or past the end");
	for (i = ACT_NONE + 1; i < ACT__COUNT; i++) {
		const struct action_entry *e = action_get(i);

		if (e == NULL || (int)e->action != i || e->name == NULL ||
		    e->name[0] == '\0' || e->symbol == NULL ||
		    strlen(e->symbol) != 1 ||
		    strchr("+~-", e->symbol[0]) == NULL || e->op == NULL ||
		    e->op[0] == '\0' || e->resolve == NULL || e->run == NULL ||
		    e->assume == NULL) {
			printf("# action %d: entry missing, out of order or "
			       "with an empty field\n",
			    i);
			whole = 0;
			continue;
		}
		for (j = ACT_NONE + 1; j < i; j++)
			if (action_get(j) != NULL &&
			    strcmp(action_get(j)->name, e->name) == 0)
				unique = 0;
	}
	ok(whole,
	    "action table: every action has its whole entry, in "
	    "enum order");
	ok(unique, "action table: names are unique");
}

/* The first step of c that runs action a, or NULL. */
static const struct step *
step_of(const struct pcase *c, enum action a)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->steps[i].kind == STEP_ACT && c->steps[i].action == a)
			return &c->steps[i];
	return NULL;
}

/* The value of tag key in a, or NULL. */
static const char *
arg_tag(const struct step_args *a, const char *key)
{
	int i;

	for (i = 0; i < a->n_tags; i++)
		if (strcmp(a->tags[i].key, key) == 0)
			return a->tags[i].value;
	return NULL;
}

/*
 * The arguments the planner resolves are the ones the action sends: from
 * the fresh start, the replica's identifiers and tags, the snapshot's
 * coordinates, the target's settings, the replication source and the
 * alias record.
 */
static void
check_arguments(const struct pcase *cases, size_t n)
{
	const struct pcase *c = NULL;
	const struct step *s;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(cases[i].name, FRESH_CASE) == 0)
			c = &cases[i];
	if (c == NULL) {
		ok(0, "arguments: the " FRESH_CASE " case is there");
		return;
	}
	s = step_of(c, ACT_CREATE_TEMP_REPLICA);
	ok(s != NULL && strcmp(s->args.id, "shop-db-enc-rr-tmp") == 0 &&
	        strcmp(s->args.from, "shop-db") == 0 &&
	        arg_tag(&s->args, OBS_TAG_OBJECT) != NULL &&
	        strcmp(arg_tag(&s->args, OBS_TAG_ROLE), "temp-replica") == 0,
	    "arguments: create-temp-replica sends its id, the source and "
	    "our tags");
	s = step_of(c, ACT_CREATE_SNAPSHOT);
	ok(s != NULL && arg_tag(&s->args, OBS_TAG_BINLOG_FILE) != NULL &&
	        strcmp(arg_tag(&s->args, OBS_TAG_BINLOG_FILE), s->pos.file) ==
	            0,
	    "arguments: create-snapshot tags the coordinates it is taken at");
	s = step_of(c, ACT_COPY_SNAPSHOT);
	ok(s != NULL && strcmp(s->args.kms_key_id, "alias/rds-shop") == 0,
	    "arguments: copy-snapshot-encrypted sends the declared key");
	s = step_of(c, ACT_RESTORE_TARGET);
	ok(s != NULL && strcmp(s->args.param_group, "shop-db-enc-params") == 0,
	    "arguments: restore-target sends the target's own parameter "
	    "group, made before it");
	s = step_of(c, ACT_MODIFY_TARGET);
	ok(s != NULL && s->args.backup_retention == 7 &&
	        s->args.multi_az == 1 && s->args.n_sg == c->o.source.n_sg &&
	        s->args.param_group[0] == '\0',
	    "arguments: modify-target sends the source's settings, not the "
	    "group the restore gave");
	ok(step_of(c, ACT_REBOOT_TARGET) == NULL,
	    "arguments: no reboot: the target booted with its group");
	s = step_of(c, ACT_START_REPLICATION);
	ok(s != NULL && strcmp(s->args.host, c->o.source.endpoint) == 0 &&
	        s->args.port == c->o.source.port && s->args.user[0] != '\0',
	    "arguments: start-replication sends the source's endpoint");
	s = step_of(c, ACT_SWITCH_ALIAS);
	ok(s != NULL && s->args.ttl == 5 && s->args.record_type[0] != '\0' &&
	        strcmp(s->args.id, "db.internal.example.com.") == 0,
	    "arguments: switch-alias sends the record's name, type and TTL");
	s = step_of(c, ACT_FENCE_SOURCE);
	ok(s != NULL && s->args.read_only == 1 &&
	        strcmp(s->args.param_group, "shop-mysql80") == 0 &&
	        arg_tag(&s->args, OBS_TAG_FENCED) != NULL,
	    "arguments: fence-source sets read_only=1 in the source's group "
	    "and tags the time");
	ok(s != NULL && arg_tag(&s->args, OBS_TAG_FENCE_PREV) != NULL &&
	        strcmp(arg_tag(&s->args, OBS_TAG_FENCE_PREV), "default") == 0,
	    "arguments: fence-source records that read_only had no user "
	    "value (the engine default)");
}

/* The case named name, or NULL. */
static const struct pcase *
case_named(const struct pcase *cases, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(cases[i].name, name) == 0)
			return &cases[i];
	return NULL;
}

/*
 * Lifting the fence restores what read_only was before it, never a
 * blanket 0 (which would open the source's own read replicas): the
 * engine default when the tag says so or is missing, else the value.
 */
static void
check_abort_arguments(const struct pcase *cases, size_t n)
{
	const struct pcase *c;
	const struct step *s;

	c = case_named(cases, n, "cutover-timeout-abort");
	s = c ? step_of(c, ACT_ABORT_CUTOVER) : NULL;
	ok(s != NULL && s->args.read_only == -1 && s->args.n_untag == 3 &&
	        strcmp(s->args.untag[2], OBS_TAG_FENCE_PREV) == 0,
	    "arguments: abort-cutover without a recorded value resets "
	    "read_only to the engine default and drops the tags");
	c = case_named(cases, n, "cutover-abort-explicit-prev");
	s = c ? step_of(c, ACT_ABORT_CUTOVER) : NULL;
	ok(s != NULL && s->args.read_only == 0 &&
	        strcmp(s->args.param_group, "shop-mysql80") == 0,
	    "arguments: abort-cutover puts back the explicit read_only=0 "
	    "recorded at the fence");
}

/*
 * create-target-parameter-group sends the source group's family and its
 * user-set values as observed, in order, then read_only=1; a group that
 * does not fit is refused before anything is made.
 */
static void
check_target_params(const struct pcase *cases, size_t n)
{
	static struct observed o;
	static struct step steps[MAX_STEPS];
	const struct pcase *c = NULL;
	const struct step *s = NULL;
	const struct step_args *a;
	size_t i, k;

	for (i = 0; i < n; i++)
		if (strcmp(cases[i].name, FRESH_CASE) == 0)
			c = &cases[i];
	if (c == NULL) {
		ok(0, "target params: the " FRESH_CASE " case is there");
		return;
	}
	o = c->o;
	o.n_source_params = 2;
	snprintf(o.source_params[0].name, sizeof(o.source_params[0].name),
	    "max_connections");
	snprintf(o.source_params[0].value, sizeof(o.source_params[0].value),
	    "500");
	snprintf(o.source_params[0].apply_method,
	    sizeof(o.source_params[0].apply_method), "immediate");
	snprintf(o.source_params[1].name, sizeof(o.source_params[1].name),
	    "innodb_log_file_size");
	snprintf(o.source_params[1].value, sizeof(o.source_params[1].value),
	    "1073741824");
	snprintf(o.source_params[1].apply_method,
	    sizeof(o.source_params[1].apply_method), "pending-reboot");
	k = plan_all(c->d, &o, steps, MAX_STEPS);
	for (i = 0; i < k; i++)
		if (steps[i].kind == STEP_ACT &&
		    steps[i].action == ACT_CREATE_TARGET_PARAMS)
			s = &steps[i];
	a = s != NULL ? &s->args : NULL;
	ok(a != NULL && strcmp(a->family, o.source_pg_family) == 0 &&
	        strcmp(a->from, "shop-mysql80") == 0,
	    "target params: the source group's family");
	ok(a != NULL && a->n_params == 3 &&
	        strcmp(a->params[0].name, "max_connections") == 0 &&
	        strcmp(a->params[0].apply_method, "immediate") == 0 &&
	        strcmp(a->params[1].value, "1073741824") == 0 &&
	        strcmp(a->params[1].apply_method, "pending-reboot") == 0,
	    "target params: the source's values, in order, as observed");
	ok(a != NULL && a->n_params == 3 &&
	        strcmp(a->params[2].name, "read_only") == 0 &&
	        strcmp(a->params[2].value, "1") == 0,
	    "target params: read_only=1 last");

	o.source_params_too_many = 1;
	k = plan_all(c->d, &o, steps, MAX_STEPS);
	s = k > 0 ? &steps[k - 1] : NULL;
	ok(s != NULL && s->kind == STEP_BLOCKED &&
	        strstr(s->what, "shop-mysql80") != NULL,
	    "target params: a group that does not fit is refused");
	for (i = 0; i < k; i++)
		if (steps[i].kind == STEP_ACT &&
		    steps[i].action == ACT_CREATE_TARGET_PARAMS)
			break;
	ok(i == k, "target params: ... and its group is not made");
}

/* The fresh start's source moved to a private VPC, with settings away
 * from every default: what the target must carry. */
static void
private_source(struct obs_instance *src, int storage)
{
	struct obs_settings *st = &src->settings;

	snprintf(src->subnet_group, sizeof(src->subnet_group), "shop-private");
	snprintf(src->vpc_id, sizeof(src->vpc_id), "vpc-0b2c3d4e5f6a7b8c9");
	snprintf(src->sg_ids[0], sizeof(src->sg_ids[0]),
	    "sg-0c0ffee000000000a");
	src->n_sg = 1;
	src->publicly_accessible = 0;
	src->port = 3307;
	src->allocated_storage = storage;
	snprintf(st->option_group, sizeof(st->option_group), "shop-opts");
	snprintf(st->storage_type, sizeof(st->storage_type), "gp3");
	st->iops = 12000;
	st->storage_throughput = 500;
	snprintf(st->ca_certificate, sizeof(st->ca_certificate),
	    "rds-ca-rsa4096-g1");
	st->iam_auth = 1;
	st->monitoring_interval = 30;
	snprintf(st->monitoring_role_arn, sizeof(st->monitoring_role_arn),
	    "arn:aws:iam::123456789012:role/rds-monitoring-role");
	st->performance_insights = 1;
	snprintf(st->pi_kms_key_id, sizeof(st->pi_kms_key_id),
	    "arn:aws:kms:ap-northeast-1:123456789012:key/pi");
	st->pi_retention = 31;
	snprintf(st->log_exports, sizeof(st->log_exports), "error,slowquery");
	snprintf(st->backup_window, sizeof(st->backup_window), "04:00-04:30");
	snprintf(st->maintenance_window, sizeof(st->maintenance_window),
	    "tue:06:00-tue:06:30");
	st->auto_minor_version_upgrade = 0;
	st->copy_tags_to_snapshot = 1;
	st->deletion_protection = 1;
}

/*
 * The source's network and settings in the arguments: the temporary
 * replica and the restore in its subnet group and security groups, with
 * its PubliclyAccessible; the restore with every setting it takes (gp3's
 * Iops and throughput only from 400 GiB); the modify with the rest; and
 * a target restored elsewhere moved back by the modify.
 */
static void
check_network_arguments(const struct pcase *cases, size_t n)
{
	const struct pcase *fresh = NULL;
	struct pcase *c = xcalloc(1, sizeof(*c));
	const struct step *s;
	const struct obs_settings *a;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(cases[i].name, FRESH_CASE) == 0)
			fresh = &cases[i];
	if (fresh == NULL) {
		ok(0, "network arguments: the " FRESH_CASE " case is there");
		free(c);
		return;
	}
	c->d = fresh->d;
	c->o = fresh->o;
	private_source(&c->o.source, 100);
	c->n = plan_all(c->d, &c->o, c->steps, MAX_STEPS);

	s = step_of(c, ACT_CREATE_TEMP_REPLICA);
	ok(s != NULL && strcmp(s->args.subnet_group, "shop-private") == 0 &&
	        s->args.n_sg == 1 &&
	        strcmp(s->args.sg_ids[0], "sg-0c0ffee000000000a") == 0 &&
	        s->args.publicly_accessible == 0 &&
	        s->args.settings.option_group[0] == '\0',
	    "network arguments: create-temp-replica in the source's subnet "
	    "group and security groups, not public");
	s = step_of(c, ACT_RESTORE_TARGET);
	a = s ? &s->args.settings : NULL;
	ok(s != NULL && strcmp(s->args.subnet_group, "shop-private") == 0 &&
	        s->args.n_sg == 1 &&
	        strcmp(s->args.sg_ids[0], "sg-0c0ffee000000000a") == 0 &&
	        s->args.publicly_accessible == 0 &&
	        s->args.instance_port == 3307,
	    "network arguments: restore-target in the source's network, on "
	    "its port");
	ok(a != NULL && strcmp(a->option_group, "shop-opts") == 0 &&
	        strcmp(a->storage_type, "gp3") == 0 && a->iops == -1 &&
	        a->storage_throughput == -1 && a->iam_auth == 1 &&
	        strcmp(a->log_exports, "error,slowquery") == 0 &&
	        a->auto_minor_version_upgrade == 0 &&
	        a->copy_tags_to_snapshot == 1 && a->deletion_protection == 1,
	    "network arguments: restore-target sends the settings a restore "
	    "takes (gp3 below 400 GiB: no Iops, no throughput)");
	ok(a != NULL && a->monitoring_interval == -1 &&
	        a->performance_insights == -1 && a->backup_window[0] == '\0' &&
	        a->maintenance_window[0] == '\0' &&
	        a->ca_certificate[0] == '\0',
	    "network arguments: restore-target sends none a restore does not "
	    "take");
	s = step_of(c, ACT_MODIFY_TARGET);
	a = s ? &s->args.settings : NULL;
	ok(a != NULL && a->monitoring_interval == 30 &&
	        strcmp(a->monitoring_role_arn,
	            "arn:aws:iam::123456789012:role/rds-monitoring-role") ==
	            0 &&
	        a->performance_insights == 1 && a->pi_retention == 31 &&
	        strstr(a->pi_kms_key_id, "key/pi") != NULL &&
	        strcmp(a->backup_window, "04:00-04:30") == 0 &&
	        strcmp(a->maintenance_window, "tue:06:00-tue:06:30") == 0 &&
	        strcmp(a->ca_certificate, "rds-ca-rsa4096-g1") == 0,
	    "network arguments: modify-target sends monitoring, Performance "
	    "Insights, windows and CA");
	ok(s != NULL && s->args.subnet_group[0] == '\0' &&
	        s->args.publicly_accessible == -1 &&
	        a->option_group[0] == '\0' && a->storage_type[0] == '\0',
	    "network arguments: modify-target leaves what the restore "
	    "carried");

	c->o = fresh->o;
	private_source(&c->o.source, 500);
	c->n = plan_all(c->d, &c->o, c->steps, MAX_STEPS);
	s = step_of(c, ACT_RESTORE_TARGET);
	ok(s != NULL && s->args.settings.iops == 12000 &&
	        s->args.settings.storage_throughput == 500,
	    "network arguments: gp3 from 400 GiB: Iops and throughput sent");

	/* A target restored before the network was carried: default VPC,
	 * public, the default settings. */
	c->o = fresh->o;
	private_source(&c->o.source, 100);
	c->n = plan_all(c->d, &c->o, c->steps, MAX_STEPS);
	for (i = 0; i < (size_t)c->n && c->steps[i].action != ACT_MODIFY_TARGET;
	     i++)
		plan_assume(c->d, &c->o, &c->steps[i]);
	snprintf(c->o.target.subnet_group, sizeof(c->o.target.subnet_group),
	    "default");
	c->o.target.publicly_accessible = 1;
	step_settings_unset(&c->o.target.settings);
	c->n = plan_all(c->d, &c->o, c->steps, MAX_STEPS);
	s = c->n > 0 ? &c->steps[0] : NULL;
	ok(s != NULL && s->action == ACT_MODIFY_TARGET &&
	        strcmp(s->args.subnet_group, "shop-private") == 0 &&
	        s->args.publicly_accessible == 0 &&
	        strcmp(s->args.settings.option_group, "shop-opts") == 0 &&
	        s->args.settings.deletion_protection == 1,
	    "network arguments: a target in another subnet group is moved "
	    "by modify-target, with the settings it lacks");
	free(c);
}

/*
 * A Multi-AZ failover during catch-up.  Of the target: its endpoint now
 * resolves to the standby's address, so the replication user is made for
 * that address (the old host dropped first), once, and then the I/O thread
 * is waited for, never blocked on.  Of the source: the I/O thread
 * reconnects to the source's name by itself; the user is left alone.  A
 * SQL error still blocks, and a name that does not resolve mid-failover
 * never widens the user to '%'.
 */
static void
check_failover(const struct pcase *cases, size_t n)
{
	const struct pcase *c;
	const struct step *s;
	size_t i, creates = 0;

	c = case_named(cases, n, "build-repl-target-failover");
	s = c ? step_of(c, ACT_CREATE_REPL_USER) : NULL;
	ok(s != NULL && s == &c->steps[0] && s->args.n_hosts == 1 &&
	        strcmp(s->args.hosts[0], "10.0.2.45") == 0 &&
	        s->args.n_drop_hosts == 1 &&
	        strcmp(s->args.drop_hosts[0], "10.0.1.23") == 0,
	    "failover of the target: the user moves to its new address");
	for (i = 0; c != NULL && i < c->n; i++)
		if (c->steps[i].kind == STEP_ACT &&
		    c->steps[i].action == ACT_CREATE_REPL_USER)
			creates++;
	ok(c != NULL && creates == 1 && c->n > 1 &&
	        c->steps[1].kind == STEP_WAIT &&
	        c->steps[1].wait == WAIT_RECONNECT,
	    "failover of the target: one re-creation, then a wait for the "
	    "I/O thread");
	c = case_named(cases, n, "build-repl-source-failover");
	ok(c != NULL && c->n > 0 && c->steps[0].kind == STEP_WAIT &&
	        c->steps[0].wait == WAIT_RECONNECT &&
	        step_of(c, ACT_CREATE_REPL_USER) == NULL,
	    "failover of the source: wait for the I/O thread to reconnect");
	c = case_named(cases, n, "build-repl-target-unresolved");
	ok(c != NULL && step_of(c, ACT_CREATE_REPL_USER) == NULL,
	    "a target name that does not resolve leaves the user alone");
	c = case_named(cases, n, "build-repl-sql-error-while-reconnecting");
	ok(c != NULL && c->n == 1 && c->steps[0].kind == STEP_BLOCKED,
	    "an SQL error blocks while the I/O thread reconnects");
}

/* The lines of text (modified in place), at most max; comment lines
 * ("#") go to comments instead, at most maxc. */
static size_t
split_lines(char *text, char **lines, size_t max, char **comments,
    size_t maxc, size_t *ncomments)
{
	size_t n = 0;
	char *p = text, *nl;

	while (*p != '\0') {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl = '\0';
		if (p[0] == '#') {
			if (*ncomments < maxc)
				comments[(*ncomments)++] = p;
		} else if (n < max)
			lines[n++] = p;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	return n;
}

/* A line diff of want against got (longest common subsequence). */
static void
print_diff(char **want, size_t nw, char **got, size_t ng)
{
	size_t i, j, *lcs = xcalloc((nw + 1) * (ng + 1), sizeof(*lcs));

#define LCS(a, b) lcs[(a) * (ng + 1) + (b)]
	for (i = nw; i-- > 0;)
		for (j = ng; j-- > 0;)
			LCS(i, j) = strcmp(want[i], got[j]) == 0 ?
			    LCS(i + 1, j + 1) + 1 :
			    (LCS(i + 1, j) > LCS(i, j + 1) ?
			    LCS(i + 1, j) : LCS(i, j + 1));
	printf("#   --- expected\n#   +++ plan_all\n");
	i = j = 0;
	while (i < nw || j < ng) {
		if (i < nw && j < ng && strcmp(want[i], got[j]) == 0) {
			printf("#      %s\n", want[i]);
			i++, j++;
		} else if (i < nw &&
		    (j == ng || LCS(i + 1, j) >= LCS(i, j + 1)))
			printf("#   -  %s\n", want[i++]);
		else
			printf("#   +  %s\n", got[j++]);
	}
#undef LCS
	free(lcs);
}

/* Compare the case's steps with its expected file (or rewrite it). */
static void
check_case(const char *dir, struct pcase *c, int update)
{
	char *path = xasprintf("%s/%s/expected", dir, c->name), *text = NULL;
	char *got[MAX_STEPS], *want[MAX_STEPS + 1], *comments[MAX_COMMENTS];
	char lines[MAX_STEPS][600];
	size_t i, nw, nc = 0;
	int same, finding = 0;
	FILE *f = NULL;

	for (i = 0; i < c->n; i++) {
		format_step(&c->steps[i], lines[i], sizeof(lines[i]));
		got[i] = lines[i];
	}
	text = tap_slurp(path);
	if (text == NULL && !update) {
		ok(0, c->name);
		printf("#   cannot read %s\n", path);
		goto out;
	}
	nw = text == NULL ? 0 : split_lines(text, want, MAX_STEPS + 1,
	    comments, MAX_COMMENTS, &nc);
	same = nw == c->n;
	for (i = 0; same && i < nw; i++)
		same = strcmp(want[i], got[i]) == 0;
	for (i = 0; i < nc; i++)
		if (strncmp(comments[i], "# FINDING", 9) == 0)
			finding = 1;
	if (update && !same && finding) {
		/* the expectation is what the planner should do */
		ok(0, c->name);
		printf("#   not updated: %s holds an open finding\n", path);
		print_diff(want, nw, got, c->n);
		goto out;
	}
	if (update && !same) {
		if ((f = fopen(path, "w")) == NULL) {
			ok(0, c->name);
			printf("#   cannot write %s\n", path);
			goto out;
		}
		for (i = 0; i < nc; i++)
			fprintf(f, "%s\n", comments[i]);
		for (i = 0; i < c->n; i++)
			fprintf(f, "%s\n", got[i]);
		ok(fclose(f) == 0, c->name);
		f = NULL;
		printf("#   updated %s\n", path);
		goto out;
	}
	if (!ok(same, c->name))
		print_diff(want, nw, got, c->n);
out:
	if (f != NULL)
		fclose(f);
	free(text);
	free(path);
}

static int
load_case(const char *dir, struct pcase *c)
{
	char *dpath = xasprintf("%s/%s/desired.yaml", dir, c->name);
	char *opath = xasprintf("%s/%s/observed.json", dir, c->name);
	int rc = -1;

	if (desired_parse_file(dpath, &c->d, NULL) != RR_OK) {
		ok(0, c->name);
		printf("#   %s\n", rr_lasterr());
		goto out;
	}
	if (observed_from_json(&c->o, opath) != RR_OK) {
		ok(0, c->name);
		printf("#   %s\n", rr_lasterr());
		goto out;
	}
	rc = 0;
out:
	free(dpath);
	free(opath);
	return rc;
}

static int
is_case_dir(const char *dir, const char *name)
{
	struct stat st;
	char *p;
	int r;

	if (name[0] == '.')
		return 0;
	p = xasprintf("%s/%s", dir, name);
	r = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
	free(p);
	return r;
}

static ssize_t
index_of(const struct pcase *c, enum action a, size_t from)
{
	size_t i;

	for (i = from; i < c->n; i++)
		if (c->steps[i].kind == STEP_ACT && c->steps[i].action == a)
			return (ssize_t)i;
	return -1;
}

/* 1 when a occurs at some index before an occurrence of b. */
static int
occurs_before(const struct pcase *c, enum action a, enum action b)
{
	ssize_t i = index_of(c, a, 0);

	return i >= 0 && index_of(c, b, (size_t)i + 1) >= 0;
}

static void
check_properties(struct pcase *cases, size_t n)
{
	struct observed copy;
	struct step s1, s2;
	const struct pcase *fresh = NULL;
	int det = 1, pure = 1, nostart = 1, alias = 1, fence = 1, fenced = 1;
	size_t i;
	ssize_t k, m;

	for (i = 0; i < n; i++) {
		struct pcase *c = &cases[i];
		const char *phase = c->o.target.exists ? c->o.target.phase : "";

		if (c->d == NULL)
			continue;
		if (strcmp(c->name, FRESH_CASE) == 0)
			fresh = c;

		/* plan_next: same input, same step; the input untouched */
		copy = c->o;
		plan_next(c->d, &c->o, &s1);
		plan_next(c->d, &c->o, &s2);
		if (memcmp(&s1, &s2, sizeof(s1)) != 0) {
			det = 0;
			printf("# %s: plan_next differs between calls\n",
			    c->name);
		}
		if (memcmp(&copy, &c->o, sizeof(copy)) != 0) {
			pure = 0;
			printf("# %s: plan_next changed its input\n", c->name);
		}

		/* never replicate from the recorded position once the
		 * cut-over has begun (no row applied twice) */
		if (occurs_before(c, ACT_MARK_CUTOVER, ACT_START_REPLICATION) ||
		    (index_of(c, ACT_START_REPLICATION, 0) >= 0 &&
		    (strcmp(phase, PHASE_CUTOVER) == 0 ||
		    strcmp(phase, PHASE_DONE) == 0))) {
			nostart = 0;
			printf("# %s: start-replication after the cut-over "
			    "began\n", c->name);
		}

		/* the alias moves only after replication stopped at the
		 * final position (when it was running at the start) */
		k = index_of(c, ACT_SWITCH_ALIAS, 0);
		m = index_of(c, ACT_STOP_REPLICATION, 0);
		if (occurs_before(c, ACT_SWITCH_ALIAS, ACT_STOP_REPLICATION) ||
		    (k >= 0 && c->o.tgtrepl.configured && (m < 0 || m > k))) {
			alias = 0;
			printf("# %s: switch-alias before stop-replication\n",
			    c->name);
		}

		/* and only with the source fenced */
		m = index_of(c, ACT_FENCE_SOURCE, 0);
		if (k >= 0 && c->o.srcdb.read_only != TRI_YES &&
		    c->o.source_pg_read_only != TRI_YES && (m < 0 || m > k)) {
			fenced = 0;
			printf("# %s: switch-alias without a fence\n", c->name);
		}

		/* the replication user is dropped while the source still
		 * accepts account changes */
		m = index_of(c, ACT_DROP_REPL_USER, 0);
		k = index_of(c, ACT_FENCE_SOURCE, 0);
		if (occurs_before(c, ACT_FENCE_SOURCE, ACT_DROP_REPL_USER) ||
		    (k >= 0 && c->o.srcdb.repl_user_exists == TRI_YES &&
		    (m < 0 || m > k))) {
			fence = 0;
			printf("# %s: fence-source before "
			    "drop-replication-user\n", c->name);
		}
	}
	ok(det, "plan_next is deterministic on every case");
	ok(pure, "plan_next leaves its input unchanged on every case");
	ok(fresh != NULL && fresh->n < MAX_STEPS &&
	    fresh->steps[fresh->n - 1].kind == STEP_CONVERGED,
	    "from " FRESH_CASE ", plan_all converges in fewer than 40 steps");
	ok(nostart, "no start-replication after begin-cutover in any case");
	ok(alias, "no switch-alias before stop-replication in any case");
	ok(fenced, "no switch-alias before the source is fenced in any case");
	ok(fence, "no fence-source before drop-replication-user in any case");
}

/* struct observed -> JSON -> struct observed gives it back, per case. */
static void
check_roundtrip(const struct pcase *cases, size_t n)
{
	struct observed back;
	json_t *j;
	size_t i;
	int all = 1;

	for (i = 0; i < n; i++) {
		if (cases[i].d == NULL)
			continue;
		j = observed_to_json(&cases[i].o);
		if (observed_from_json_value(&back, j, "roundtrip") != RR_OK ||
		    memcmp(&back, &cases[i].o, sizeof(back)) != 0) {
			all = 0;
			printf("# %s: round trip differs (%s)\n",
			    cases[i].name, rr_lasterr());
		}
		json_decref(j);
	}
	ok(all, "observed_to_json/observed_from_json_value round trip");
}

static enum rr_err
from_text(struct observed *o, const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	enum rr_err e;

	if (j == NULL)
		return rr_seterr(RR_ERR_PARSE, "%s", jerr.text);
	e = observed_from_json_value(o, j, "t.json");
	json_decref(j);
	return e;
}

#define REFUSED(text, msg, name)					\
	do {								\
		struct observed o_;					\
		ok(from_text(&o_, (text)) == RR_ERR_PARSE, name);	\
		is_str(rr_lasterr(), (msg), name " (message)");		\
	} while (0)

static void
check_json(void)
{
	struct observed o;
	json_t *j;
	char *s;

	ok(from_text(&o, "{}") == RR_OK, "json: {} is an observation");
	ok(o.now == 0 && !o.source.exists && o.srcdb.reachable == TRI_UNKNOWN &&
	    o.tgtrepl.read_only == TRI_UNKNOWN &&
	    o.target_pg_read_only == TRI_UNKNOWN &&
	    o.tgtrepl.seconds_behind == -1 &&
	    o.srcdb.binlog_retention_hours == -1 && o.record.ttl == 0,
	    "json: defaults (tri unknown, NULL numbers -1)");

	ok(from_text(&o, "{\"now\": \"2026-11-22T04:00:00Z\", "
	    "\"source\": {\"sg_ids\": [\"sg-b\", \"sg-a\"], "
	    "\"tagged_pos\": {\"file\": \"bin.000003\", \"pos\": 1234}}, "
	    "\"srcdb\": {\"reachable\": true, \"log_bin\": \"no\", "
	    "\"read_only\": null}}") == RR_OK &&
	    o.now == 1795320000 && o.source.n_sg == 2 &&
	    strcmp(o.source.sg_ids[0], "sg-a") == 0 &&
	    strcmp(o.source.tagged_pos.file, "bin.000003") == 0 &&
	    o.source.tagged_pos.pos == 1234 &&
	    o.srcdb.reachable == TRI_YES && o.srcdb.log_bin == TRI_NO &&
	    o.srcdb.read_only == TRI_UNKNOWN,
	    "json: time, sorted sg_ids, positions, tri forms");
	ok(from_text(&o, "{\"now\": 1795320000}") == RR_OK &&
	    o.now == 1795320000, "json: now as epoch seconds");
	j = observed_to_json(&o);
	s = json_dumps(json_object_get(j, "now"), JSON_ENCODE_ANY);
	is_str(s, "\"2026-11-22T04:00:00Z\"", "json: now written in UTC");
	free(s);
	s = json_dumps(json_object_get(json_object_get(j, "tgtrepl"),
	    "read_only"), JSON_ENCODE_ANY);
	is_str(s, "\"unknown\"", "json: tri written as a word");
	free(s);
	json_decref(j);

	REFUSED("{\"source\": {\"statu\": \"available\"}}",
	    "t.json: unknown key 'source.statu'", "json: misspelt key");
	REFUSED("{\"srcdb\": {\"binlog\": {\"poss\": 4}}}",
	    "t.json: unknown key 'srcdb.binlog.poss'", "json: nested key");
	REFUSED("{\"sourc\": {}}", "t.json: unknown key 'sourc'",
	    "json: top-level key");
	REFUSED("{\"source\": {\"exists\": 1}}",
	    "t.json: source.exists: expected true or false", "json: bool");
	REFUSED("{\"srcdb\": {\"binlog\": {\"pos\": -1}}}",
	    "t.json: srcdb.binlog.pos: expected an integer >= 0",
	    "json: negative position");
	REFUSED("{\"srcdb\": {\"log_bin\": \"on\"}}",
	    "t.json: srcdb.log_bin: expected \"yes\", \"no\" or \"unknown\"",
	    "json: tri");
	REFUSED("{\"now\": \"2026-11-22 04:00\"}",
	    "t.json: now: expected epoch seconds or \"YYYY-MM-DDTHH:MM:SSZ\"",
	    "json: time");
	REFUSED("{\"key\": {\"state\": "
	    "\"EnabledEnabledEnabledEnabledEnabled\"}}",
	    "t.json: key.state: 'EnabledEnabledEnabledEnabledEnabled...' is "
	    "longer than 31 bytes", "json: string too long");
	REFUSED("{\"temp\": []}", "t.json: temp: expected an object",
	    "json: object expected");
	ok(from_text(&o, "{\"source\": {\"status\": \"a\", "
	    "\"status\": \"b\"}}") != RR_OK, "json: duplicate key refused");
	ok(observed_from_json(&o, "/nonexistent/observed.json") == RR_ERR_IO,
	    "json: missing file is RR_ERR_IO");
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Stale clients: lower-alias-ttl sends the same record with the short TTL
 * and keeps the largest old TTL; end-stale-sessions tags the switch time
 * only on its first pass.
 */
static void
check_stale_arguments(const struct pcase *cases, size_t n)
{
	const struct pcase *c = case_named(cases, n, "stale-ttl-raised");
	const struct step *s = c ? step_of(c, ACT_LOWER_TTL) : NULL;
	char now[32];

	ok(s != NULL && s->args.ttl == 5 &&
	        strcmp(s->args.value, c->o.record.value) == 0 &&
	        strcmp(s->args.record_type, c->o.record.type) == 0 &&
	        strcmp(s->args.zone_id, "Z0123456789ABC") == 0 &&
	        arg_tag(&s->args, OBS_TAG_TTL_BEFORE) != NULL &&
	        strcmp(arg_tag(&s->args, OBS_TAG_TTL_BEFORE), "600") == 0 &&
	        arg_tag(&s->args, OBS_TAG_TTL_LOWERED) != NULL,
	    "arguments: lower-alias-ttl keeps the record's value and type, "
	    "sends cutoverTtlSeconds and tags the largest old TTL");
	c = case_named(cases, n, "stale-drain-first");
	s = c ? step_of(c, ACT_END_STALE_SESSIONS) : NULL;
	if (c != NULL)
		snprintf(now, sizeof(now), "%lld", (long long)c->o.now);
	ok(s != NULL && arg_tag(&s->args, OBS_TAG_SWITCHED) != NULL &&
	        strcmp(arg_tag(&s->args, OBS_TAG_SWITCHED), now) == 0,
	    "arguments: the first end-stale-sessions tags the time of the "
	    "switch");
	c = case_named(cases, n, "stale-drain-kill");
	s = c ? step_of(c, ACT_END_STALE_SESSIONS) : NULL;
	ok(s != NULL && s->args.n_tags == 0,
	    "arguments: a later end-stale-sessions keeps the switch time");
	c = case_named(cases, n, "isolate-create");
	s = c ? step_of(c, ACT_CREATE_ISOLATION_GROUP) : NULL;
	ok(s != NULL && strcmp(s->args.id, "shop-db-enc-isolate-source") == 0 &&
	        strcmp(s->args.from, "vpc-0a1b2c3d") == 0 &&
	        arg_tag(&s->args, OBS_TAG_OBJECT) != NULL &&
	        strcmp(arg_tag(&s->args, OBS_TAG_OBJECT), "shop-db") == 0,
	    "arguments: create-isolation-group names the group, the source's "
	    "VPC and our tag");
	s = c ? step_of(c, ACT_ISOLATE_SOURCE) : NULL;
	ok(s != NULL && s->args.n_sg == 1 &&
	        strcmp(s->args.id, "shop-db") == 0 &&
	        arg_tag(&s->args, OBS_TAG_SOURCE_SGS) != NULL &&
	        strcmp(arg_tag(&s->args, OBS_TAG_SOURCE_SGS),
	            "sg-0a1b2c3d4e5f60718") == 0,
	    "arguments: isolate-source sends only the isolation group and "
	    "tags the source's groups before");
	c = case_named(cases, n, "isolate-sessions-left");
	s = c ? step_of(c, ACT_END_STALE_SESSIONS) : NULL;
	ok(s != NULL && s->args.n_tags == 0,
	    "arguments: after the cut-over end-stale-sessions tags nothing");
	c = case_named(cases, n, "stale-drain-over");
	ok(c != NULL && step_of(c, ACT_END_STALE_SESSIONS) == NULL &&
	        step_of(c, ACT_MARK_DONE) != NULL,
	    "stale clients: once the old TTL has passed the cut-over is "
	    "marked done");
}

int
main(void)
{
	const char *dir = getenv("RDSR_PLAN_CASES");
	const char *up = getenv("UPDATE_EXPECTED");
	int update = up != NULL && strcmp(up, "1") == 0;
	struct pcase *cases = NULL;
	char **names = NULL;
	struct dirent *de;
	DIR *dh;
	size_t n = 0, cap = 0, i;

	if (dir == NULL || dir[0] == '\0')
		dir = DEFAULT_CASES;
	if ((dh = opendir(dir)) == NULL) {
		ok(0, "open the plan cases");
		printf("#   cannot open %s (run from the repository root or "
		    "set RDSR_PLAN_CASES)\n", dir);
		return tap_done();
	}
	while ((de = readdir(dh)) != NULL) {
		if (!is_case_dir(dir, de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = xstrdup(de->d_name);
	}
	closedir(dh);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	cases = xcalloc(n ? n : 1, sizeof(*cases));

	for (i = 0; i < n; i++) {
		struct pcase *c = &cases[i];

		c->name = names[i];
		if (load_case(dir, c) != 0) {
			desired_free(c->d);
			c->d = NULL;
			continue;
		}
		c->n = plan_all(c->d, &c->o, c->steps, MAX_STEPS);
		check_case(dir, c, update);
	}
	ok(n >= 25, "at least 25 plan cases");
	check_properties(cases, n);
	check_roundtrip(cases, n);
	check_json();
	check_action_table();
	check_arguments(cases, n);
	check_target_params(cases, n);
	check_network_arguments(cases, n);
	check_abort_arguments(cases, n);
	check_failover(cases, n);
	check_stale_arguments(cases, n);

	for (i = 0; i < n; i++) {
		desired_free(cases[i].d);
		free(cases[i].name);
	}
	free(cases);
	free(names);
	return tap_done();
}
