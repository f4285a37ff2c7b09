/*
 * config.c - credentials, region and endpoints from the environment and
 * the shared ~/.aws files (AWS SDKs and Tools Reference Guide, "Shared
 * config and credentials files", "Environment variables", "Service-specific
 * endpoints").
 *
 * The files are read whole into one buffer that is wiped before it is
 * freed, so a secret key read from them is not left in freed memory.
 */
#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "aws-int.h"
#include "log.h"
#include "xmalloc.h"

#define MAX_FILE (1024 * 1024)

const char *
aws_env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

const char *
aws_profile_name(const char *profile)
{
	if (profile != NULL && *profile != '\0')
		return profile;
	if (aws_env("AWS_PROFILE") != NULL)
		return aws_env("AWS_PROFILE");
	return "default";
}

static char *
home_file(const char *envname, const char *rel)
{
	const char *home;
	struct passwd *pw;

	if (aws_env(envname) != NULL)
		return xstrdup(aws_env(envname));
	if ((home = aws_env("HOME")) == NULL) {
		if ((pw = getpwuid(getuid())) == NULL)
			return NULL;
		home = pw->pw_dir;
	}
	return xasprintf("%s/%s", home, rel);
}

/* Read a whole file; NULL when absent or unreadable.  *len = its size. */
static char *
read_file(const char *path, size_t *len)
{
	FILE *f;
	struct stat st;
	char *s = NULL;
	size_t n;

	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || st.st_size > MAX_FILE) {
		log_warn("ignoring '%s': unreadable or larger than %d bytes",
		    path, MAX_FILE);
		goto out;
	}
	s = xmalloc((size_t)st.st_size + 1);
	n = fread(s, 1, (size_t)st.st_size, f);
	s[n] = '\0';
	*len = n + 1;
out:
	fclose(f);
	return s;
}

static void
wipe_free(char *s, size_t len)
{
	if (s == NULL)
		return;
	OPENSSL_cleanse(s, len);
	free(s);
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

/*
 * Look up keys[i] in [section] of an INI-style AWS file; vals[i] receive
 * xstrdup'ed values (left alone when absent).  Indented lines are nested
 * sub-settings and are skipped; '#' and ';' start comment lines.
 */
static void
ini_lookup(const char *path, const char *section, const char *const *keys,
    char **vals, size_t nkeys)
{
	size_t len = 0, i;
	char *text = read_file(path, &len), *line, *next, *eq;
	int in = 0;

	if (text == NULL)
		return;
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == ' ' || *line == '\t')
			continue;
		line = trim(line);
		if (*line == '\0' || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			char *end = strrchr(line, ']');

			if (end == NULL)
				continue;
			*end = '\0';
			in = strcmp(trim(line + 1), section) == 0;
			continue;
		}
		if (!in || (eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		for (i = 0; i < nkeys; i++)
			if (vals[i] == NULL && strcmp(trim(line), keys[i]) == 0)
				vals[i] = xstrdup(trim(eq + 1));
	}
	wipe_free(text, len);
}

static void
wipe_str(char **s)
{
	if (*s != NULL)
		wipe_free(*s, strlen(*s));
	*s = NULL;
}

void
aws_creds_release(struct aws_creds *c)
{
	if (c == NULL)
		return;
	free(c->access_key_id);
	wipe_str(&c->secret_access_key);
	wipe_str(&c->session_token);
	free(c->source);
	memset(c, 0, sizeof(*c));
}

/* Profile sections: [NAME] in credentials, [profile NAME] in config. */
static void
profile_lookup(const char *profile, const char *const *keys, char **vals,
    size_t nkeys, char **found_in)
{
	char *cpath = home_file("AWS_SHARED_CREDENTIALS_FILE",
	    ".aws/credentials");
	char *fpath = home_file("AWS_CONFIG_FILE", ".aws/config");
	char *sect = xasprintf("profile %s", profile);

	if (cpath != NULL) {
		ini_lookup(cpath, profile, keys, vals, nkeys);
		if (vals[0] != NULL && found_in != NULL)
			*found_in = xstrdup(cpath);
	}
	if (fpath != NULL) {
		int had = vals[0] != NULL;

		ini_lookup(fpath, sect, keys, vals, nkeys);
		if (strcmp(profile, "default") == 0)
			ini_lookup(fpath, "default", keys, vals, nkeys);
		if (!had && vals[0] != NULL && found_in != NULL)
			*found_in = xstrdup(fpath);
	}
	free(cpath);
	free(fpath);
	free(sect);
}

enum rr_err
aws_creds_load(struct aws_creds *out, const char *profile)
{
	static const char *const keys[] = {
		"aws_access_key_id", "aws_secret_access_key",
		"aws_session_token",
	};
	char *vals[3] = { NULL, NULL, NULL }, *where = NULL;
	const char *name = aws_profile_name(profile);
	enum rr_err e;

	memset(out, 0, sizeof(*out));
	if (aws_env("AWS_ACCESS_KEY_ID") != NULL &&
	    aws_env("AWS_SECRET_ACCESS_KEY") != NULL) {
		out->access_key_id = xstrdup(aws_env("AWS_ACCESS_KEY_ID"));
		out->secret_access_key =
		    xstrdup(aws_env("AWS_SECRET_ACCESS_KEY"));
		if (aws_env("AWS_SESSION_TOKEN") != NULL)
			out->session_token =
			    xstrdup(aws_env("AWS_SESSION_TOKEN"));
		out->source = xstrdup("environment");
		return RR_OK;
	}
	profile_lookup(name, keys, vals, 3, &where);
	if (vals[0] == NULL || vals[1] == NULL) {
		e = rr_seterr(RR_ERR_CREDENTIALS, "no aws credentials: set "
		    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
		    "aws_access_key_id and aws_secret_access_key for profile "
		    "'%s' in ~/.aws/credentials", name);
		goto out;
	}
	out->access_key_id = vals[0];
	out->secret_access_key = vals[1];
	out->session_token = vals[2];
	vals[0] = vals[1] = vals[2] = NULL;	/* transferred */
	out->source = xasprintf("profile '%s' in %s", name,
	    where ? where : "?");
	e = RR_OK;
out:
	free(vals[0]);
	wipe_str(&vals[1]);
	wipe_str(&vals[2]);
	free(where);
	return e;
}

enum rr_err
aws_region_resolve(char **out, const char *explicit_region,
    const char *profile)
{
	static const char *const keys[] = { "region" };
	char *val = NULL;

	*out = NULL;
	if (explicit_region != NULL && *explicit_region != '\0')
		val = xstrdup(explicit_region);
	else if (aws_env("AWS_REGION") != NULL)
		val = xstrdup(aws_env("AWS_REGION"));
	else if (aws_env("AWS_DEFAULT_REGION") != NULL)
		val = xstrdup(aws_env("AWS_DEFAULT_REGION"));
	else {
		char *cpath = home_file("AWS_CONFIG_FILE", ".aws/config");
		const char *name = aws_profile_name(profile);
		char *sect = xasprintf("profile %s", name);

		if (cpath != NULL) {
			ini_lookup(cpath, sect, keys, &val, 1);
			if (strcmp(name, "default") == 0)
				ini_lookup(cpath, "default", keys, &val, 1);
		}
		free(cpath);
		free(sect);
	}
	if (val == NULL || *val == '\0') {
		free(val);
		return rr_seterr(RR_ERR_USAGE, "no aws region: set spec.region, "
		    "AWS_REGION, or region in ~/.aws/config");
	}
	*out = val;
	return RR_OK;
}

/* Route 53 is global: one endpoint per partition, signed for one region. */
static const struct {
	const char *url;
	const char *signing_region;
} route53_global[] = {
	{ "https://route53.amazonaws.com", "us-east-1" },
	{ "https://route53.amazonaws.com.cn", "cn-northwest-1" },
	{ "https://route53.us-gov.amazonaws.com", "us-gov-west-1" },
};

enum rr_err
aws_endpoints_resolve(char **endpoint, char **signing_region,
    const char *region)
{
	const char *global = aws_env("AWS_ENDPOINT_URL");
	int cn = strncmp(region, "cn-", 3) == 0;
	int gov = strncmp(region, "us-gov-", 7) == 0;
	const char *suffix = cn ? "amazonaws.com.cn" : "amazonaws.com";
	int i, partition = cn ? 1 : gov ? 2 : 0;

	for (i = 0; i < AWS_SVC__COUNT; i++) {
		char *var =
		    xasprintf("AWS_ENDPOINT_URL_%s", aws_svcs[i].envname);
		const char *url = aws_env(var) ? aws_env(var) : global;
		char *u;
		size_t n;

		free(var);
		if (url != NULL)
			u = xstrdup(url);
		else if (i == AWS_SVC_ROUTE53)
			u = xstrdup(route53_global[partition].url);
		else
			u = xasprintf("https://%s.%s.%s", aws_svcs[i].name,
			    region, suffix);
		if (strncmp(u, "https://", 8) != 0 &&
		    strncmp(u, "http://", 7) != 0) {
			free(u);
			return rr_seterr(RR_ERR_USAGE,
			    "endpoint url for %s "
			    "must start with https:// or http://",
			    aws_svcs[i].name);
		}
		n = strlen(u);
		while (n > 0 && u[n - 1] == '/')
			u[--n] = '\0';
		endpoint[i] = u;
		if (i == AWS_SVC_ROUTE53)
			signing_region[i] =
			    xstrdup(route53_global[partition].signing_region);
		else
			signing_region[i] = xstrdup(region);
	}
	return RR_OK;
}
