/*
 * test-db-auth.c - no password reaches a server that merely asks for it.
 *
 * For each way a hostile server can ask (tests/lib/fake-mysql.py: the
 * handshake naming mysql_clear_password, an AuthSwitchRequest to it, to the
 * dialog plugin or to sha256_password, and caching_sha2_password's full
 * authentication with the server's own RSA key), the fake server runs on
 * 127.0.0.1 (a free port), offers no TLS, and records every byte the client
 * sent plus whatever it could decrypt with its key.  db_connect, the one
 * connection path of diff, status and apply, must fail without the
 * password (nor its hex) appearing in that record.  The server is started
 * and stopped here, by PID.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "err.h"
#include "xmalloc.h"
#include "tap.h"

#define FAKE     "tests/lib/fake-mysql.py"
#define PASSWORD "Fake-Srv-Pw-9q2"

static pid_t
fake_start(const char *mode, const char *record, const char *ready)
{
	pid_t pid = fork();

	if (pid == 0) {
		execl("/usr/bin/python3", "python3", FAKE, "--listen",
		    "127.0.0.1", "--port", "0", "--mode", mode, "--record",
		    record, "--ready-file", ready, "--lifetime", "60",
		    (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void
fake_stop(pid_t pid)
{
	int st, i;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	for (i = 0; i < 50; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/* Wait (at most 20 s) for "HOST PORT" in the ready file. */
static unsigned
fake_port(const char *ready, pid_t pid)
{
	char host[64];
	unsigned port = 0;
	int i, st;
	FILE *f;

	for (i = 0; i < 400; i++) {
		if ((f = fopen(ready, "r")) != NULL) {
			if (fscanf(f, "%63s %u", host, &port) != 2)
				port = 0;
			fclose(f);
			if (port != 0)
				return port;
		}
		if (waitpid(pid, &st, WNOHANG) == pid)
			return 0;
		usleep(50000);
	}
	return 0;
}

static int
contains(const char *hay, size_t n, const char *needle)
{
	return memmem(hay, n, needle, strlen(needle)) != NULL;
}

static void
one_mode(const char *dir, const char *mode)
{
	char *record = xasprintf("%s/%s.record", dir, mode);
	char *ready = xasprintf("%s/%s.ready", dir, mode);
	char label[256], *got = NULL;
	struct db_opts o = { .connect_timeout_s = 5,
		.read_timeout_s = 10,
		.write_timeout_s = 10,
		.tls = DB_TLS_PREFER };
	struct db *db = NULL;
	enum rr_err e;
	unsigned port;
	pid_t pid;
	FILE *f;
	size_t n = 0;

	pid = fake_start(mode, record, ready);
	port = fake_port(ready, pid);
	snprintf(label, sizeof(label), "%s: the fake server listens", mode);
	if (!ok(port != 0, label))
		goto out;
	e = db_connect(&db, "127.0.0.1", port, "admin", PASSWORD,
	    strlen(PASSWORD), &o);
	snprintf(label, sizeof(label), "%s: the connection is refused", mode);
	ok(e != RR_OK && db == NULL, label);
	printf("# %s: %s\n", mode, e != RR_OK ? rr_lasterr() : "connected");
	snprintf(label, sizeof(label), "%s: the error names no password", mode);
	ok(e == RR_OK || strstr(rr_lasterr(), PASSWORD) == NULL, label);
	fake_stop(pid);
	pid = 0;

	if ((f = fopen(record, "rb")) != NULL) {
		got = xmalloc(1 << 16);
		n = fread(got, 1, 1 << 16, f);
		fclose(f);
	}
	printf("# %s: %zu bytes recorded\n", mode, n);
	snprintf(label, sizeof(label),
	    "%s: the server received no password "
	    "(clear, prompted or decrypted)",
	    mode);
	ok(!contains(got ? got : "", n, PASSWORD), label);
	snprintf(label, sizeof(label),
	    "%s: the error names the method and "
	    "what is allowed",
	    mode);
	ok(e != RR_OK && strstr(rr_lasterr(), "authentication method") &&
	        strstr(rr_lasterr(), "only mysql_native_password is allowed"),
	    label);
out:
	db_close(db);
	fake_stop(pid);
	free(got);
	unlink(record);
	unlink(ready);
	free(record);
	free(ready);
}

int
main(void)
{
	static const char *modes[] = { "clear", "switch-clear", "switch-dialog",
		"switch-sha256", "sha2-full" };
	char dir[] = "/tmp/rdsr-db-auth.XXXXXX";
	size_t i;

	if (access(FAKE, R_OK) != 0 || access("/usr/bin/python3", X_OK) != 0) {
		ok(0,
		    "tests/lib/fake-mysql.py and /usr/bin/python3 are there "
		    "(run from the repository root)");
		return tap_done();
	}
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp");
		return tap_done();
	}
	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		one_mode(dir, modes[i]);
	rmdir(dir);
	return tap_done();
}
