/* cmd-version.c - `rdsreconcile version`: the version and library versions. */
#include <stdio.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/xmlversion.h>
#include <mysql.h>
#include <openssl/opensslv.h>
#include <sodium.h>
#include <yaml.h>

#include "cmd.h"
#include "version.h"

static int
version_exec(const struct cmd_args *args)
{
	printf("rdsreconcile %s\n", RDSRECONCILE_VERSION);
	printf("libcurl %s, %s, libyaml %s, libxml2 %s, jansson %s, "
	    "libsodium %s, mariadb connector/c %s\n",
	    curl_version_info(CURLVERSION_NOW)->version,
	    OPENSSL_VERSION_TEXT, yaml_get_version_string(),
	    LIBXML_DOTTED_VERSION, JANSSON_VERSION, sodium_version_string(),
	    mysql_get_client_info());
	return EXIT_CONVERGED;
}

const struct cmd_entry cmd_version_entry = {
	.name = "version",
	.usage = "",
	.summary = "print the version of rdsreconcile and its libraries",
	.min_args = 0,
	.max_args = 0,
	.exec = version_exec,
};
