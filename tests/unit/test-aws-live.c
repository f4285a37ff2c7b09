/*
 * test-aws-live.c - the AWS layer against the local stand-in over real HTTP.
 *
 * Run by tests/aws/run, which starts tests/awsim/awsim.py and sets
 * AWSIM_URL (and the stand-in's credentials).  Without AWSIM_URL the test
 * prints a TAP skip and passes, so `make unit` can build and run it anywhere.
 *
 * Covered: STS identity; a missing instance -> RR_ERR_NOT_FOUND with Code
 * and RequestId in the message; KMS DescribeKey by alias; a Route 53 UPSERT
 * followed to INSYNC and read back; throttling retried to success (and
 * exhausted to RR_ERR_THROTTLED) through the stand-in's fault hook; dry run
 * sending nothing (checked with GET /_awsim/calls); the RDS wrappers on a
 * fixture instance (describe, tags, parameter groups with batching); and,
 * with a real MariaDB behind it, replica, snapshot, encrypted copy, restore,
 * modify, reboot and delete, checking the shapes the reconciler reads.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/tree.h>

#include "../../src/aws/aws-int.h"
#include "aws.h"
#include "buf.h"
#include "clock.h"
#include "kms.h"
#include "log.h"
#include "rds.h"
#include "route53.h"
#include "sts.h"
#include "xmalloc.h"
#include "tap.h"

static const char *awsim;	/* base URL of the stand-in */

static size_t
collect(char *p, size_t size, size_t n, void *arg)
{
	return buf_append(arg, p, size * n) == RR_OK ? size * n : 0;
}

/* The stand-in's unsigned control interface: JSON in, JSON out. */
static json_t *
control(const char *method, const char *path, const char *body)
{
	CURL *h = curl_easy_init();
	struct buf b = BUF_INIT;
	struct curl_slist *hdr = NULL;
	char *url = xasprintf("%s%s", awsim, path);
	json_t *j = NULL;
	long status = 0;

	buf_init(&b, 16 * 1024 * 1024);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 30L);
	if (strcmp(method, "POST") == 0) {
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "{}");
	}
	if (curl_easy_perform(h) == CURLE_OK) {
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		if (status == 200)
			j = json_loads(buf_str(&b), 0, NULL);
	}
	if (j == NULL)
		printf("# control %s %s failed: http %ld %s\n", method, path,
		    status, buf_str(&b));
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	buf_release(&b);
	free(url);
	return j;
}

static void
control_ok(const char *method, const char *path, const char *body)
{
	json_decref(control(method, path, body));
}

/* Calls the stand-in recorded since the last reset: total and mutating. */
static void
calls(long *total, long *mutating, int reset)
{
	json_t *j = control("GET", reset ? "/_awsim/calls?reset=1" :
	    "/_awsim/calls", NULL);

	*total = (long)json_integer_value(json_object_get(j, "total"));
	*mutating = (long)json_integer_value(json_object_get(j, "mutating"));
	if (j == NULL)
		*total = *mutating = -1;
	json_decref(j);
}

/* Poll an instance until status (bounded); 1 when reached. */
static int
wait_instance(struct aws_client *c, const char *id, const char *status,
    double limit)
{
	double t0 = rr_monotonic();
	struct rds_instance i;

	while (rr_monotonic() - t0 < limit) {
		if (rds_describe_instance(c, &i, id) == RR_OK) {
			int done = i.status && strcmp(i.status, status) == 0;

			if (i.status && strcmp(i.status, "failed") == 0) {
				printf("# instance %s failed\n", id);
				rds_instance_release(&i);
				return 0;
			}
			rds_instance_release(&i);
			if (done)
				return 1;
		}
		usleep(200 * 1000);
	}
	printf("# instance %s did not reach %s in %.0f s\n", id, status, limit);
	return 0;
}

static int
wait_snapshot(struct aws_client *c, const char *id, double limit)
{
	double t0 = rr_monotonic();
	struct rds_snapshot s;

	while (rr_monotonic() - t0 < limit) {
		if (rds_describe_snapshot(c, &s, id) == RR_OK) {
			int done = s.status && strcmp(s.status, "available") == 0;

			rds_snapshot_release(&s);
			if (done)
				return 1;
		}
		usleep(200 * 1000);
	}
	printf("# snapshot %s not available in %.0f s\n", id, limit);
	return 0;
}

static void
test_sts(struct aws_client *c)
{
	char *account = NULL, *arn = NULL;

	ok(sts_get_caller_identity(c, &account, &arn) == RR_OK,
	    "sts GetCallerIdentity");
	ok(account != NULL && strlen(account) == 12,
	    "account is 12 digits");
	ok(arn != NULL && strncmp(arn, "arn:aws:", 8) == 0, "caller arn");
	free(account);
	free(arn);
}

/* A wrong secret: the stand-in refuses the signature. */
static void
test_bad_secret(void)
{
	struct aws_config cfg = { "us-east-1", NULL, 0, 5000, 60000, 0 };
	struct aws_client *bad = NULL;
	char *saved = xstrdup(getenv("AWS_SECRET_ACCESS_KEY") ?
	    getenv("AWS_SECRET_ACCESS_KEY") : "");
	char *account = NULL;
	enum rr_err e;

	setenv("AWS_SECRET_ACCESS_KEY", "wrong-secret-for-test", 1);
	if (ok(aws_client_new(&bad, &cfg) == RR_OK, "client with a wrong "
	    "secret")) {
		e = sts_get_caller_identity(bad, &account, NULL);
		is_int(e, RR_ERR_CREDENTIALS, "wrong secret: RR_ERR_CREDENTIALS");
		is_str(aws_client_error_code(bad), "SignatureDoesNotMatch",
		    "code SignatureDoesNotMatch");
		ok(strstr(rr_lasterr(), "wrong-secret") == NULL,
		    "the secret is not in the message");
	}
	setenv("AWS_SECRET_ACCESS_KEY", saved, 1);
	aws_client_free(bad);
	free(account);
	free(saved);
}

static void
test_not_found(struct aws_client *c)
{
	struct rds_instance i;
	const struct aws_error *ae;
	enum rr_err e;

	e = rds_describe_instance(c, &i, "rr-live-missing");
	ae = aws_client_last_error(c);
	is_int(e, RR_ERR_NOT_FOUND, "missing instance: RR_ERR_NOT_FOUND");
	is_str(aws_client_error_code(c), "DBInstanceNotFound",
	    "the code stays readable on the client");
	ok(ae->http_status == 404, "http 404 kept");
	ok(ae->request_id[0] != '\0' &&
	    strstr(rr_lasterr(), ae->request_id) != NULL,
	    "the message carries the request id");
	ok(strncmp(rr_lasterr(), "rds DescribeDBInstances: "
	    "DBInstanceNotFound: ", 45) == 0,
	    "message: service, action, code first");
	printf("# %s\n", rr_lasterr());
	ok(i.id == NULL, "no output on failure");
	rds_instance_release(&i);
}

/* Create a key and alias through the generic JSON 1.1 call. */
static char *
make_key(struct aws_client *c, const char *alias)
{
	json_t *req = json_pack("{s:s}", "Description", "rr live test");
	json_t *rep = NULL;
	char *id = NULL;

	if (aws_json(c, &rep, AWS_SVC_KMS, "TrentService", "CreateKey",
	    req) == RR_OK)
		id = xstrdup(json_string_value(json_object_get(json_object_get(
		    rep, "KeyMetadata"), "KeyId")));
	json_decref(req);
	json_decref(rep);
	if (id == NULL)
		return NULL;
	req = json_pack("{s:s,s:s}", "AliasName", alias, "TargetKeyId", id);
	rep = NULL;
	if (aws_json(c, &rep, AWS_SVC_KMS, "TrentService", "CreateAlias",
	    req) != RR_OK) {
		printf("# CreateAlias: %s\n", rr_lasterr());
		free(id);
		id = NULL;
	}
	json_decref(req);
	json_decref(rep);
	return id;
}

static void
test_kms(struct aws_client *c, char **key_arn)
{
	struct kms_key k;
	char *id = make_key(c, "alias/rr-live-test");
	enum rr_err e;

	if (!ok(id != NULL, "kms key and alias created"))
		return;
	e = kms_describe_key(c, &k, "alias/rr-live-test");
	is_int(e, RR_OK, "kms DescribeKey by alias");
	is_str(k.key_id, id, "the alias resolves to the key");
	ok(k.arn != NULL && strstr(k.arn, ":key/") != NULL &&
	    strstr(k.arn, id) != NULL, "key arn");
	is_str(k.key_state, "Enabled", "KeyState Enabled");
	ok(k.enabled == 1, "Enabled true");
	*key_arn = k.arn ? xstrdup(k.arn) : NULL;
	kms_key_release(&k);

	e = kms_describe_key(c, &k, "alias/rr-live-nope");
	is_int(e, RR_ERR_NOT_FOUND, "unknown alias: RR_ERR_NOT_FOUND");
	is_str(aws_client_error_code(c), "NotFoundException",
	    "kms code NotFoundException");
	ok(strstr(rr_lasterr(), "request id ") != NULL &&
	    strstr(rr_lasterr(), "request id none") == NULL,
	    "kms request id from the x-amzn-RequestId header");
	kms_key_release(&k);
	free(id);
}

/* CreateHostedZone through the generic REST-XML call. */
static char *
make_zone(struct aws_client *c, const char *name)
{
	xmlDoc *doc = NULL;
	char *body, *id = NULL, *ref;
	const char *p;

	ref = xasprintf("rr-live-%ld", (long)time(NULL));
	body = xasprintf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<CreateHostedZoneRequest xmlns=\"https://route53.amazonaws.com/"
	    "doc/2013-04-01/\"><Name>%s</Name><CallerReference>%s"
	    "</CallerReference></CreateHostedZoneRequest>", name, ref);
	if (aws_rest_xml(c, &doc, AWS_SVC_ROUTE53, "CreateHostedZone", "POST",
	    "/2013-04-01/hostedzone", NULL, body, strlen(body)) == RR_OK) {
		id = aws_xml_text(aws_xml_find(xmlDocGetRootElement(doc),
		    "HostedZone"), "Id");
		if (id != NULL && (p = strrchr(id, '/')) != NULL) {
			char *s = xstrdup(p + 1);

			free(id);
			id = s;
		}
	} else
		printf("# CreateHostedZone: %s\n", rr_lasterr());
	xmlFreeDoc(doc);
	free(body);
	free(ref);
	return id;
}

static void
test_route53(struct aws_client *c)
{
	struct route53_record r;
	char *zone = make_zone(c, "live.example.internal.");
	char *change = NULL, *status = NULL;
	double t0;
	enum rr_err e;

	if (!ok(zone != NULL, "hosted zone created"))
		return;
	e = route53_get_record(c, &r, zone, "db.live.example.internal",
	    "CNAME");
	is_int(e, RR_ERR_NOT_FOUND, "absent record: RR_ERR_NOT_FOUND");
	is_str(aws_client_error_code(c), "", "absent record: no api code");

	e = route53_get_record(c, &r, "ZNOSUCHZONE0", "x.example.internal",
	    "CNAME");
	is_int(e, RR_ERR_NOT_FOUND, "absent zone: RR_ERR_NOT_FOUND");
	is_str(aws_client_error_code(c), "NoSuchHostedZone",
	    "absent zone: NoSuchHostedZone");
	ok(strstr(rr_lasterr(), "hosted zone 'ZNOSUCHZONE0'") != NULL,
	    "the message names the zone");

	e = route53_upsert_record(c, &change, zone, "db.live.example.internal",
	    "CNAME", 5, "target-1.example.internal", "rr live test");
	is_int(e, RR_OK, "route53 UPSERT");
	ok(change != NULL && strncmp(change, "/change/", 8) != 0,
	    "change id without the /change/ prefix");
	t0 = rr_monotonic();
	while (change != NULL && rr_monotonic() - t0 < 30) {
		free(status);
		status = NULL;
		if (route53_get_change(c, &status, change) != RR_OK ||
		    strcmp(status, "INSYNC") == 0)
			break;
		usleep(100 * 1000);
	}
	is_str(status, "INSYNC", "the change reaches INSYNC");
	e = route53_get_record(c, &r, zone, "DB.live.example.internal.",
	    "CNAME");
	is_int(e, RR_OK, "record read back (case and trailing dot ignored)");
	ok(r.values.n == 1 &&
	        strcmp(r.values.v[0], "target-1.example.internal") == 0,
	    "its value");
	is_int(r.ttl, 5, "its ttl");
	route53_record_release(&r);
	e = route53_get_record(c, &r, zone, "db.live.example.internal", NULL);
	ok(e == RR_OK && r.type != NULL && strcmp(r.type, "CNAME") == 0 &&
	        r.values.n == 1,
	    "no type: the CNAME set at the name");
	route53_record_release(&r);
	free(change);
	change = NULL;
	e = route53_upsert_record(c, &change, zone, "a.live.example.internal",
	    "A", 5, "10.0.0.7", NULL);
	is_int(e, RR_OK, "route53 UPSERT of an A record");
	e = route53_get_record(c, &r, zone, "a.live.example.internal", NULL);
	ok(e == RR_OK && r.type != NULL && strcmp(r.type, "A") == 0 &&
	        r.values.n == 1 && strcmp(r.values.v[0], "10.0.0.7") == 0,
	    "no type: the A set at the name");
	route53_record_release(&r);
	e = route53_get_record(c, &r, zone, "b.live.example.internal", NULL);
	is_int(e, RR_ERR_NOT_FOUND,
	    "no type: a name without sets is NOT_FOUND, not the next name");
	free(change);
	free(status);

	e = route53_get_change(c, &status, "CNOSUCHCHANGE");
	is_int(e, RR_ERR_NOT_FOUND, "unknown change: RR_ERR_NOT_FOUND");
	free(status);
	free(zone);
}

static void
test_throttle(struct aws_client *c)
{
	struct aws_stats before, after;
	char *account = NULL;
	long total, mut;
	enum rr_err e;

	calls(&total, &mut, 1);
	aws_client_stats(c, &before);
	control_ok("POST", "/_awsim/faults", "{\"throttle\":{\"count\":2}}");
	e = sts_get_caller_identity(c, &account, NULL);
	aws_client_stats(c, &after);
	is_int(e, RR_OK, "two throttles then success");
	is_int(after.calls - before.calls, 1, "one call");
	is_int(after.retries - before.retries, 2, "retried twice");
	is_int(after.throttled - before.throttled, 2, "two throttled replies");
	is_int(after.retry_quota, before.retry_quota,
	    "retry quota refunded after success");
	calls(&total, &mut, 1);
	is_int(total, 3, "the stand-in saw three requests");
	free(account);

	control_ok("POST", "/_awsim/faults", "{\"throttle\":{\"count\":5}}");
	e = sts_get_caller_identity(c, &account, NULL);
	is_int(e, RR_ERR_THROTTLED, "throttling past 3 attempts: "
	    "RR_ERR_THROTTLED");
	ok(strstr(rr_lasterr(), "Throttling") != NULL &&
	    strstr(rr_lasterr(), "after 3 attempts") != NULL,
	    "message names the code and the attempts");
	control_ok("POST", "/_awsim/faults",
	    "{\"throttle\":{\"count\":0},\"error5xx\":{\"count\":1}}");
	e = sts_get_caller_identity(c, &account, NULL);
	is_int(e, RR_OK, "a 500 is retried too");
	free(account);
	control_ok("POST", "/_awsim/faults",
	    "{\"throttle\":{\"count\":0},\"error5xx\":{\"count\":0}}");
}

static void
test_dry_run(struct aws_client *c)
{
	struct rds_modify m = RDS_MODIFY_INIT;
	struct rds_instance i;
	char *change = NULL;
	long total, mut;
	struct aws_stats st0, st1;

	calls(&total, &mut, 1);
	aws_client_stats(c, &st0);
	aws_client_set_dry_run(c, 1);
	m.backup_retention_period = 7;
	is_int(rds_create_snapshot(c, "rr-dry-snap", "rr-fx-1", NULL),
	    RR_ERR_DRY_RUN, "dry run: CreateDBSnapshot blocked");
	is_int(rds_modify_instance(c, "rr-fx-1", &m), RR_ERR_DRY_RUN,
	    "dry run: ModifyDBInstance blocked");
	is_int(route53_upsert_record(c, &change, "Z1", "a.example", "CNAME", 5,
	    "b.example", NULL), RR_ERR_DRY_RUN, "dry run: route53 UPSERT blocked");
	ok(change == NULL, "no change id");
	calls(&total, &mut, 0);
	is_int(total, 0, "the stand-in received nothing");
	is_int(rds_describe_instance(c, &i, "rr-fx-1"), RR_OK,
	    "dry run: reads still go out");
	rds_instance_release(&i);
	calls(&total, &mut, 1);
	ok(total == 1 && mut == 0, "one read, no mutation at the stand-in");
	aws_client_stats(c, &st1);
	is_int(st1.dry_run_blocked - st0.dry_run_blocked, 3,
	    "three blocked in the client's counters");
	is_int(st1.mutating - st0.mutating, 0, "no mutating call counted");
	aws_client_set_dry_run(c, 0);
}

static void
test_fixture_instance(struct aws_client *c)
{
	struct rds_instance i;
	struct rds_tags t = { NULL, 0 }, got = { NULL, 0 };
	struct strvec keys = { NULL, 0, 0 };
	struct rds_parameters ps = { NULL, 0 };
	struct rds_parameter mod[21];
	const struct aws_action_count *ac;
	char *family = NULL, vals[21][16];
	size_t n, k;
	unsigned long before = 0, after = 0;
	enum rr_err e;

	json_decref(control("POST", "/_awsim/fixtures", "{\"instances\":[{"
	    "\"id\":\"rr-fx-1\",\"tags\":{\"team\":\"db\",\"env\":\"test\"},"
	    "\"backup_retention\":3}]}"));
	e = rds_describe_instance(c, &i, "rr-fx-1");
	if (!ok(e == RR_OK, "describe fixture instance")) {
		printf("# %s\n", rr_lasterr());
		return;
	}
	is_str(i.id, "rr-fx-1", "DBInstanceIdentifier");
	is_str(i.status, "available", "DBInstanceStatus");
	is_str(i.engine, "mariadb", "Engine");
	ok(i.engine_version && *i.engine_version, "EngineVersion");
	ok(i.arn && strncmp(i.arn, "arn:aws:rds:", 12) == 0 &&
	    strstr(i.arn, ":db:rr-fx-1") != NULL, "DBInstanceArn");
	is_int(i.backup_retention_period, 3, "BackupRetentionPeriod");
	ok(i.vpc_security_group_ids.n >= 1 &&
	    strncmp(i.vpc_security_group_ids.v[0], "sg-", 3) == 0,
	    "VpcSecurityGroups ids");
	ok(i.n_parameter_groups == 1 &&
	    strncmp(i.parameter_groups[0].name, "default.", 8) == 0 &&
	    i.parameter_groups[0].apply_status != NULL,
	    "DBParameterGroups name and apply status");
	is_str(rds_tags_get(&i.tags, "team"), "db", "TagList");
	is_str(i.master_username, "admin", "MasterUsername");
	ok(!i.storage_encrypted && i.kms_key_id == NULL, "unencrypted");

	rds_tags_add(&t, "rdsreconcile:object", "live");
	rds_tags_add(&t, "note", "a value with spaces & symbols=/+");
	is_int(rds_add_tags(c, i.arn, &t), RR_OK, "AddTagsToResource");
	is_int(rds_list_tags(c, &got, i.arn), RR_OK, "ListTagsForResource");
	is_str(rds_tags_get(&got, "note"), "a value with spaces & symbols=/+",
	    "tag value round-trips through the form encoding");
	is_str(rds_tags_get(&got, "env"), "test", "existing tags kept");
	rds_tags_release(&got);
	strvec_push(&keys, "note");
	strvec_push(&keys, "env");
	is_int(rds_remove_tags(c, i.arn, &keys), RR_OK,
	    "RemoveTagsFromResource (TagKeys.member.N)");
	rds_list_tags(c, &got, i.arn);
	ok(rds_tags_get(&got, "note") == NULL &&
	    rds_tags_get(&got, "env") == NULL &&
	    rds_tags_get(&got, "rdsreconcile:object") != NULL,
	    "removed tags are gone, others stay");
	rds_tags_release(&got);

	/* Parameter groups. */
	is_int(rds_describe_parameter_group(c, &family,
	    i.parameter_groups[0].name), RR_OK, "DescribeDBParameterGroups");
	ok(family != NULL && strncmp(family, "mariadb", 7) == 0,
	    "family of the default group");
	free(family);
	is_int(rds_describe_parameter_group(c, &family, "rr-no-such-pg"),
	    RR_ERR_NOT_FOUND, "missing group: RR_ERR_NOT_FOUND");
	free(family);
	rds_describe_parameter_group(c, &family, i.parameter_groups[0].name);
	is_int(rds_create_parameter_group(c, "rr-live-pg", family,
	    "rr live test", &t), RR_OK, "CreateDBParameterGroup");
	/* 21 changes: two ModifyDBParameterGroup calls (20 + 1). */
	for (k = 0; k < 21; k++) {
		memset(&mod[k], 0, sizeof(mod[k]));
		snprintf(vals[k], sizeof(vals[k]), "%zu", 100 + k);
		mod[k].name = "wait_timeout";
		mod[k].value = vals[k];
		mod[k].apply_method = "immediate";
	}
	mod[0].name = "binlog_format";
	mod[0].value = "ROW";
	n = aws_client_actions(c, &ac);
	for (k = 0; k < n; k++)
		if (strcmp(ac[k].action, "ModifyDBParameterGroup") == 0)
			before = ac[k].calls;
	e = rds_modify_parameter_group(c, "rr-live-pg", mod, 21);
	if (!ok(e == RR_OK, "ModifyDBParameterGroup, 21 parameters"))
		printf("# %s\n", rr_lasterr());
	n = aws_client_actions(c, &ac);
	for (k = 0; k < n; k++)
		if (strcmp(ac[k].action, "ModifyDBParameterGroup") == 0)
			after = ac[k].calls;
	is_int(after - before, 2, "sent as two calls of at most 20");
	e = rds_describe_parameters(c, &ps, "rr-live-pg", "user");
	is_int(e, RR_OK, "DescribeDBParameters Source=user");
	for (k = 0, n = 0; k < ps.n; k++) {
		if (strcmp(ps.v[k].name, "binlog_format") == 0 &&
		    ps.v[k].value && strcmp(ps.v[k].value, "ROW") == 0)
			n |= 1;
		if (strcmp(ps.v[k].name, "wait_timeout") == 0 &&
		    ps.v[k].value && strcmp(ps.v[k].value, "120") == 0)
			n |= 2;
	}
	ok(n == 3, "user parameters: binlog_format=ROW, wait_timeout=120");
	rds_parameters_release(&ps);
	e = rds_describe_parameters(c, &ps, "rr-live-pg", NULL);
	ok(e == RR_OK && ps.n >= 10 && ps.v[0].apply_type != NULL,
	    "all parameters, with ApplyType");
	rds_parameters_release(&ps);

	free(family);
	strvec_clear(&keys);
	rds_tags_release(&t);
	rds_instance_release(&i);
}

/* CreateDBInstance is not in rds.h (we never create sources). */
static enum rr_err
create_source(struct aws_client *c, const char *id)
{
	struct aws_params p = { NULL, 0 };
	xmlDoc *doc = NULL;
	enum rr_err e;

	aws_params_add(&p, "DBInstanceIdentifier", id);
	aws_params_add(&p, "Engine", "mariadb");
	aws_params_add(&p, "DBInstanceClass", "db.t3.micro");
	aws_params_add(&p, "AllocatedStorage", "20");
	aws_params_add(&p, "MasterUsername", "admin");
	aws_params_add(&p, "MasterUserPassword", "live-test-password-1");
	aws_params_add(&p, "BackupRetentionPeriod", "1");
	e = aws_query(c, &doc, AWS_SVC_RDS, "CreateDBInstance", &p);
	xmlFreeDoc(doc);
	aws_params_release(&p);
	return e;
}

static void
test_lifecycle(struct aws_client *c, const char *key_arn)
{
	struct rds_tags t = { NULL, 0 };
	struct rds_instance src, rep, tgt;
	struct rds_snapshot s;
	struct rds_restore_opts ro;
	struct rds_modify m = RDS_MODIFY_INIT;
	struct strvec sgs = { NULL, 0, 0 };
	struct rds_settings rs;
	char *logs[2];
	enum rr_err e;

	memset(&src, 0, sizeof(src));
	memset(&rep, 0, sizeof(rep));
	memset(&tgt, 0, sizeof(tgt));
	memset(&s, 0, sizeof(s));
	rds_tags_add(&t, "rdsreconcile:object", "live");
	e = create_source(c, "rr-live-src");
	if (!ok(e == RR_OK, "CreateDBInstance (real server)")) {
		printf("# %s\n", rr_lasterr());
		goto out;
	}
	if (!ok(wait_instance(c, "rr-live-src", "available", 120),
	    "source available"))
		goto out;

	e = rds_create_read_replica(c, "rr-live-rep", "rr-live-src", NULL, &t);
	is_int(e, RR_OK, "CreateDBInstanceReadReplica");
	e = rds_create_read_replica(c, "rr-live-rep", "rr-live-src", NULL, &t);
	is_str(aws_client_error_code(c), "DBInstanceAlreadyExists",
	    "a second create: DBInstanceAlreadyExists");
	ok(wait_instance(c, "rr-live-rep", "available", 120),
	    "replica available");
	rds_describe_instance(c, &rep, "rr-live-rep");
	is_str(rep.read_replica_source, "rr-live-src",
	    "ReadReplicaSourceDBInstanceIdentifier");
	is_str(rds_tags_get(&rep.tags, "rdsreconcile:object"), "live",
	    "replica carries our tag");
	rds_describe_instance(c, &src, "rr-live-src");
	ok(src.read_replicas.n == 1 &&
	    strcmp(src.read_replicas.v[0], "rr-live-rep") == 0,
	    "ReadReplicaDBInstanceIdentifiers on the source");
	ok(src.endpoint_address != NULL && src.endpoint_port > 0,
	    "Endpoint.Address and Port");
	is_str(src.db_subnet_group, "default", "DBSubnetGroupName: default");
	is_str(src.vpc_id, "vpc-0a1b2c3d", "DBSubnetGroup.VpcId");
	is_int(src.publicly_accessible, 1,
	    "PubliclyAccessible: the default VPC has an internet gateway");
	is_str(src.settings.option_group, "default:mariadb-10-11",
	    "OptionGroupMemberships");
	is_str(src.settings.storage_type, "gp2", "StorageType");
	ok(src.settings.iops == -1 && src.settings.monitoring_interval == 0 &&
	        src.settings.auto_minor_version_upgrade == 1 &&
	        src.settings.deletion_protection == 0 &&
	        src.settings.backup_window != NULL &&
	        src.settings.log_exports.n == 0,
	    "settings: no Iops, monitoring off, minor upgrades on, windows");

	e = rds_create_snapshot(c, "rr-live-snap", "rr-live-rep", &t);
	is_int(e, RR_OK, "CreateDBSnapshot");
	ok(wait_snapshot(c, "rr-live-snap", 120), "snapshot available");
	e = rds_copy_snapshot(c, "rr-live-snap", "rr-live-snap-enc",
	    "alias/rr-live-test", 1, NULL);
	if (!ok(e == RR_OK, "CopyDBSnapshot with KmsKeyId alias"))
		printf("# %s\n", rr_lasterr());
	ok(wait_snapshot(c, "rr-live-snap-enc", 120), "copy available");
	e = rds_describe_snapshot(c, &s, "rr-live-snap-enc");
	is_int(e, RR_OK, "DescribeDBSnapshots");
	ok(s.encrypted == 1, "copy Encrypted");
	ok(key_arn != NULL && s.kms_key_id != NULL &&
	    strcmp(s.kms_key_id, key_arn) == 0, "copy KmsKeyId is the key arn");
	is_int(s.percent_progress, 100, "PercentProgress 100");
	is_str(s.instance_id, "rr-live-rep", "DBInstanceIdentifier");
	is_str(rds_tags_get(&s.tags, "rdsreconcile:object"), "live",
	    "CopyTags carried the tag");
	rds_snapshot_release(&s);
	is_int(rds_describe_snapshot(c, &s, "rr-live-nosnap"),
	    RR_ERR_NOT_FOUND, "missing snapshot: RR_ERR_NOT_FOUND");

	memset(&ro, 0, sizeof(ro));
	ro.multi_az = -1;
	ro.net.publicly_accessible = 0;
	ro.net.db_subnet_group = "default";
	ro.instance_class = "db.t3.micro";
	ro.tags = &t;
	rds_settings_init(&rs);
	rs.iam_auth = 1;
	rs.copy_tags_to_snapshot = 1;
	rs.storage_type = "gp3";
	rs.backup_window = "04:00-04:30"; /* not taken by a restore: unsent */
	logs[0] = "error";
	logs[1] = "slowquery";
	rs.log_exports.v = logs;
	rs.log_exports.n = 2;
	ro.settings = &rs;
	e = rds_restore_from_snapshot(c, "rr-live-tgt", "rr-live-snap-enc", &ro);
	if (!ok(e == RR_OK, "RestoreDBInstanceFromDBSnapshot"))
		printf("# %s\n", rr_lasterr());
	ok(wait_instance(c, "rr-live-tgt", "available", 120),
	    "target available");
	rds_describe_instance(c, &tgt, "rr-live-tgt");
	ok(tgt.storage_encrypted == 1 && tgt.kms_key_id != NULL &&
	    key_arn != NULL && strcmp(tgt.kms_key_id, key_arn) == 0,
	    "target StorageEncrypted with the key");
	ok(tgt.publicly_accessible == 0 && tgt.settings.iam_auth == 1 &&
	        tgt.settings.copy_tags_to_snapshot == 1 &&
	        tgt.settings.storage_type != NULL &&
	        strcmp(tgt.settings.storage_type, "gp3") == 0 &&
	        tgt.settings.log_exports.n == 2 &&
	        strcmp(tgt.settings.backup_window, "04:00-04:30") != 0,
	    "restore sent PubliclyAccessible and the settings it takes");
	rds_instance_release(&tgt);

	strvec_push(&sgs,
	    src.vpc_security_group_ids.n ? src.vpc_security_group_ids.v[0]
	                                 : "sg-0a1b2c3d4e5f60718");
	m.vpc_security_group_ids = &sgs;
	m.parameter_group = "rr-live-pg";
	m.backup_retention_period = 2;
	m.apply_immediately = 1;
	rds_settings_init(&rs);
	rs.backup_window = "04:00-04:30";
	rs.maintenance_window = "tue:06:00-tue:06:30";
	rs.ca_certificate = "rds-ca-rsa4096-g1";
	rs.log_exports.v = logs;
	rs.log_exports.n = 1;
	m.settings = &rs;
	e = rds_modify_instance(c, "rr-live-tgt", &m);
	if (!ok(e == RR_OK, "ModifyDBInstance"))
		printf("# %s\n", rr_lasterr());
	ok(wait_instance(c, "rr-live-tgt", "available", 120),
	    "target available after modify");
	rds_describe_instance(c, &tgt, "rr-live-tgt");
	is_int(tgt.backup_retention_period, 2, "BackupRetentionPeriod applied");
	ok(tgt.settings.backup_window != NULL &&
	        strcmp(tgt.settings.backup_window, "04:00-04:30") == 0 &&
	        tgt.settings.maintenance_window != NULL &&
	        strcmp(tgt.settings.maintenance_window,
	            "tue:06:00-tue:06:30") == 0 &&
	        tgt.settings.ca_certificate != NULL &&
	        strcmp(tgt.settings.ca_certificate, "rds-ca-rsa4096-g1") == 0 &&
	        tgt.settings.log_exports.n == 2,
	    "modify set the windows and CA; log types only enabled");
	ok(tgt.n_parameter_groups == 1 &&
	    strcmp(tgt.parameter_groups[0].name, "rr-live-pg") == 0,
	    "parameter group applied");
	printf("# parameter apply status after modify: %s\n",
	    tgt.n_parameter_groups ? tgt.parameter_groups[0].apply_status :
	    "?");
	rds_instance_release(&tgt);
	is_int(rds_reboot_instance(c, "rr-live-tgt"), RR_OK,
	    "RebootDBInstance");
	ok(wait_instance(c, "rr-live-tgt", "available", 120),
	    "target available after reboot");
	rds_describe_instance(c, &tgt, "rr-live-tgt");
	ok(tgt.n_parameter_groups == 1 && tgt.parameter_groups[0].apply_status
	    && strcmp(tgt.parameter_groups[0].apply_status, "in-sync") == 0,
	    "ParameterApplyStatus in-sync after reboot");

	is_int(rds_delete_instance(c, "rr-live-rep", 1, NULL), RR_OK,
	    "DeleteDBInstance (skip final snapshot)");
	is_int(rds_delete_snapshot(c, "rr-live-snap"), RR_OK,
	    "DeleteDBSnapshot");
	is_int(rds_delete_snapshot(c, "rr-live-snap"), RR_ERR_NOT_FOUND,
	    "deleting it again: RR_ERR_NOT_FOUND");
out:
	rds_instance_release(&src);
	rds_instance_release(&rep);
	rds_instance_release(&tgt);
	rds_snapshot_release(&s);
	strvec_clear(&sgs);
	rds_tags_release(&t);
}

static void
print_counts(struct aws_client *c)
{
	const struct aws_action_count *ac;
	struct aws_stats st;
	size_t n, i;

	aws_client_stats(c, &st);
	printf("# calls %lu (mutating %lu), attempts %lu, retries %lu, "
	    "quota %u\n", st.calls, st.mutating, st.attempts, st.retries,
	    st.retry_quota);
	n = aws_client_actions(c, &ac);
	for (i = 0; i < n; i++)
		printf("#   %-8s %-32s %lu\n", ac[i].service, ac[i].action,
		    ac[i].calls);
}

int
main(void)
{
	struct aws_config cfg = { "us-east-1", NULL, 0, 5000, 60000, 0 };
	struct aws_client *c = NULL;
	char *key_arn = NULL;

	if ((awsim = getenv("AWSIM_URL")) == NULL || *awsim == '\0') {
		printf("1..0 # SKIP AWSIM_URL not set (run tests/aws/run)\n");
		return 0;
	}
	if (getenv("RR_TEST_DEBUG") != NULL)
		log_set_level(LOG_DEBUG);
	setenv("AWS_ENDPOINT_URL", awsim, 1);
	if (!ok(aws_client_new(&c, &cfg) == RR_OK, "client for the stand-in")) {
		printf("# %s\n", rr_lasterr());
		return tap_done();
	}
	test_sts(c);
	test_bad_secret();
	test_not_found(c);
	test_kms(c, &key_arn);
	test_route53(c);
	test_throttle(c);
	test_fixture_instance(c);
	test_dry_run(c);
	if (getenv("RR_TEST_NO_LIFECYCLE") == NULL)
		test_lifecycle(c, key_arn);
	print_counts(c);
	free(key_arn);
	aws_client_free(c);
	curl_global_cleanup();
	return tap_done();
}
