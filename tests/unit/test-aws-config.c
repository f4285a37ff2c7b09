/*
 * test-aws-config.c - the client's configuration chain, dry run and
 * transport retries, without AWS: credentials and region from the
 * environment and from temporary ~/.aws files, endpoint resolution,
 * dry-run blocking (nothing sent, passwords masked in the log), and
 * standard-mode retries of a refused connection to 127.0.0.1:1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/aws/aws-int.h"
#include "aws.h"
#include "log.h"
#include "rds.h"
#include "xmalloc.h"
#include "tap.h"

static char tmpdir[] = "/tmp/rr-test-aws-config-XXXXXX";

static void
clear_env(void)
{
	static const char *const vars[] = {
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_PROFILE", "AWS_REGION",
		"AWS_DEFAULT_REGION", "AWS_SHARED_CREDENTIALS_FILE",
		"AWS_CONFIG_FILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_RDS",
		"AWS_ENDPOINT_URL_KMS", "AWS_ENDPOINT_URL_ROUTE_53",
		"AWS_ENDPOINT_URL_STS", "AWS_MAX_ATTEMPTS",
		"RDSRECONCILE_RETRY_BASE_MS",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	/* A HOME without .aws, so the real user's files never leak in. */
	setenv("HOME", tmpdir, 1);
}

static char *
write_tmp(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", tmpdir, name);
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
	return path;
}

static void
test_env_chain(void)
{
	struct aws_config cfg = { "eu-west-1", NULL, 0, 0, 0, 0 };
	struct aws_client *c = NULL;

	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	setenv("AWS_REGION", "ap-northeast-1", 1);
	ok(aws_client_new(&c, &cfg) == RR_OK, "env credentials: client");
	is_str(aws_client_access_key_id(c), "AKIDENV", "env: access key id");
	is_str(aws_client_region(c), "eu-west-1",
	    "an explicit region wins over AWS_REGION");
	is_str(aws_client_endpoint(c, AWS_SVC_RDS),
	    "https://rds.eu-west-1.amazonaws.com", "default rds endpoint");
	is_str(aws_client_endpoint(c, AWS_SVC_KMS),
	    "https://kms.eu-west-1.amazonaws.com", "default kms endpoint");
	is_str(aws_client_endpoint(c, AWS_SVC_ROUTE53),
	    "https://route53.amazonaws.com", "default route53 endpoint");
	is_str(aws_client_endpoint(c, AWS_SVC_STS),
	    "https://sts.eu-west-1.amazonaws.com", "default sts endpoint");
	aws_client_free(c);

	cfg.region = NULL;
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9/", 1);
	setenv("AWS_ENDPOINT_URL_ROUTE_53", "http://127.0.0.2:9", 1);
	ok(aws_client_new(&c, &cfg) == RR_OK, "env endpoints: client");
	is_str(aws_client_region(c), "ap-northeast-1", "AWS_REGION used");
	is_str(aws_client_endpoint(c, AWS_SVC_RDS), "http://127.0.0.1:9",
	    "AWS_ENDPOINT_URL applies, trailing slash dropped");
	is_str(aws_client_endpoint(c, AWS_SVC_ROUTE53), "http://127.0.0.2:9",
	    "AWS_ENDPOINT_URL_ROUTE_53 wins for route53");
	aws_client_free(c);

	setenv("AWS_ENDPOINT_URL_KMS", "ftp://x", 1);
	c = NULL;
	ok(aws_client_new(&c, &cfg) == RR_ERR_USAGE && c == NULL,
	    "a non-http endpoint is refused");
}

static void
test_file_chain(void)
{
	struct aws_config cfg = { NULL, NULL, 0, 0, 0, 0 };
	struct aws_client *c = NULL;
	char *cred, *conf;
	enum rr_err e;

	clear_env();
	cred = write_tmp("credentials",
	    "[default]\naws_access_key_id = AKIDDEFAULT\n"
	    "aws_secret_access_key = default-secret\n\n"
	    "# comment\n[ops]\naws_access_key_id=AKIDOPS\n"
	    "aws_secret_access_key= ops-secret-value \n"
	    "aws_session_token = tok\n");
	conf = write_tmp("config",
	    "[default]\nregion = us-west-2\n"
	    "[profile ops]\nregion = eu-central-1\ns3 =\n"
	    "  region = nested-not-this\n"
	    "[profile cfgonly]\nregion = sa-east-1\n"
	    "aws_access_key_id = AKIDCFG\n"
	    "aws_secret_access_key = cfg-secret\n");
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred, 1);
	setenv("AWS_CONFIG_FILE", conf, 1);

	ok(aws_client_new(&c, &cfg) == RR_OK, "default profile: client");
	is_str(aws_client_access_key_id(c), "AKIDDEFAULT",
	    "default profile key from the credentials file");
	is_str(aws_client_region(c), "us-west-2",
	    "region from [default] in the config file");
	aws_client_free(c);

	setenv("AWS_PROFILE", "ops", 1);
	ok(aws_client_new(&c, &cfg) == RR_OK, "AWS_PROFILE=ops: client");
	is_str(aws_client_access_key_id(c), "AKIDOPS", "ops key");
	is_str(aws_client_region(c), "eu-central-1",
	    "region from [profile ops], nested settings skipped");
	aws_client_free(c);

	cfg.profile = "cfgonly";
	ok(aws_client_new(&c, &cfg) == RR_OK, "profile from aws_config");
	is_str(aws_client_access_key_id(c), "AKIDCFG",
	    "credentials found in the config file");
	is_str(aws_client_region(c), "sa-east-1", "its region");
	aws_client_free(c);

	setenv("AWS_DEFAULT_REGION", "ca-central-1", 1);
	ok(aws_client_new(&c, &cfg) == RR_OK &&
	    strcmp(aws_client_region(c), "ca-central-1") == 0,
	    "AWS_DEFAULT_REGION wins over the config file");
	aws_client_free(c);
	unsetenv("AWS_DEFAULT_REGION");

	cfg.profile = "missing";
	c = NULL;
	e = aws_client_new(&c, &cfg);
	ok(e == RR_ERR_USAGE && c == NULL, "no region anywhere: usage error");
	cfg.region = "us-east-1";
	e = aws_client_new(&c, &cfg);
	ok(e == RR_ERR_CREDENTIALS && c == NULL,
	    "no credentials for the profile: credentials error");
	ok(strstr(rr_lasterr(), "'missing'") != NULL &&
	    strstr(rr_lasterr(), "secret-value") == NULL,
	    "the message names the profile and holds no secret");
	free(cred);
	free(conf);
}

static void
test_dry_run(void)
{
	struct aws_config cfg = { "us-east-1", NULL, 1, 0, 0, 0 };
	struct aws_client *c = NULL;
	struct aws_params p = { NULL, 0 };
	struct aws_stats st;
	xmlDoc *doc = NULL;
	char *logpath = xasprintf("%s/log", tmpdir), *log;
	FILE *saved;
	int fd;
	enum rr_err e1, e2;

	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDDRY", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "dry-secret", 1);
	/* Nothing listens there: a sent request would fail, not hang. */
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
	setenv("RDSRECONCILE_RETRY_BASE_MS", "1", 1);
	if (!ok(aws_client_new(&c, &cfg) == RR_OK, "dry-run client"))
		return;
	ok(aws_client_dry_run(c), "dry run flag from the config");

	fflush(stderr);
	fd = dup(fileno(stderr));
	saved = freopen(logpath, "w", stderr);
	e1 = rds_create_snapshot(c, "snap-1", "db-1", NULL);
	aws_params_add(&p, "DBInstanceIdentifier", "db-2");
	aws_params_add(&p, "MasterUserPassword", "hunter2-very-secret");
	e2 = aws_query(c, &doc, AWS_SVC_RDS, "ModifyDBInstance", &p);
	fflush(stderr);
	dup2(fd, fileno(stderr));
	close(fd);
	(void)saved;
	if ((log = tap_slurp(logpath)) == NULL)
		log = xstrdup("");

	is_int(e1, RR_ERR_DRY_RUN, "CreateDBSnapshot blocked");
	is_int(e2, RR_ERR_DRY_RUN, "ModifyDBInstance blocked");
	ok(doc == NULL, "no reply document");
	ok(strstr(log, "CreateDBSnapshot") != NULL &&
	    strstr(log, "DBSnapshotIdentifier=snap-1") != NULL,
	    "the blocked call is logged with its parameters");
	ok(strstr(log, "hunter2") == NULL &&
	    strstr(log, "MasterUserPassword=(redacted)") != NULL,
	    "MasterUserPassword is masked in the log");
	aws_client_stats(c, &st);
	is_int(st.calls, 0, "nothing was sent");
	is_int(st.attempts, 0, "no http attempt");
	is_int(st.dry_run_blocked, 2, "two calls blocked");

	/* Reads still go out (and fail here: nothing listens). */
	aws_client_set_dry_run(c, 0);
	ok(!aws_client_dry_run(c), "dry run can be turned off");
	aws_params_release(&p);
	aws_client_free(c);
	free(log);
	free(logpath);
}

static void
test_transport_retry(void)
{
	struct aws_config cfg = { "us-east-1", NULL, 0, 2000, 5000, 0 };
	struct aws_client *c = NULL;
	struct rds_instance inst;
	struct aws_stats st;
	const struct aws_action_count *ac;
	size_t n;
	enum rr_err e;

	clear_env();
	setenv("AWS_ACCESS_KEY_ID", "AKIDNET", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "net-secret", 1);
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
	setenv("RDSRECONCILE_RETRY_BASE_MS", "1", 1);
	if (!ok(aws_client_new(&c, &cfg) == RR_OK, "retry client"))
		return;
	e = rds_describe_instance(c, &inst, "db-x");
	is_int(e, RR_ERR_HTTP, "connection refused: transport error");
	ok(strstr(rr_lasterr(), "rds DescribeDBInstances") != NULL &&
	    strstr(rr_lasterr(), "after 3 attempts") != NULL,
	    "message names the call and the attempts");
	ok(strstr(rr_lasterr(), "net-secret") == NULL, "no secret in it");
	aws_client_stats(c, &st);
	is_int(st.calls, 1, "one call");
	is_int(st.attempts, 3, "three attempts (standard mode)");
	is_int(st.retries, 2, "two retries");
	is_int(st.retry_quota, 490, "each retry took 5 tokens from 500");
	n = aws_client_actions(c, &ac);
	ok(n == 1 && strcmp(ac[0].action, "DescribeDBInstances") == 0 &&
	    ac[0].calls == 1 && !ac[0].mutating, "per-action counter");
	rds_instance_release(&inst);
	aws_client_free(c);

	/* An interrupt flag ends the retries at once. */
	{
		volatile int flag = 1;

		setenv("RDSRECONCILE_RETRY_BASE_MS", "20000", 1);
		if (!ok(aws_client_new(&c, &cfg) == RR_OK, "client with 20 s base"))
			return;
		aws_client_set_interrupt(c, &flag);
		e = rds_describe_instance(c, &inst, "db-x");
		aws_client_stats(c, &st);
		is_int(e, RR_ERR_INTERRUPTED, "interrupt flag: RR_ERR_INTERRUPTED");
		ok(st.attempts <= 1, "no retry waited for");
		aws_client_free(c);
		setenv("RDSRECONCILE_RETRY_BASE_MS", "1", 1);
	}

	setenv("AWS_MAX_ATTEMPTS", "1", 1);
	if (!ok(aws_client_new(&c, &cfg) == RR_OK, "one-attempt client"))
		return;
	e = rds_describe_instance(c, &inst, "db-x");
	aws_client_stats(c, &st);
	ok(e == RR_ERR_HTTP && st.attempts == 1 && st.retries == 0,
	    "AWS_MAX_ATTEMPTS=1: no retry");
	aws_client_free(c);
}

int
main(void)
{
	char *p;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	log_set_level(LOG_INFO);
	test_env_chain();
	test_file_chain();
	test_dry_run();
	test_transport_retry();
	p = xasprintf("rm -rf '%s'", tmpdir);
	if (system(p) != 0)
		printf("# could not remove %s\n", tmpdir);
	free(p);
	return tap_done();
}
