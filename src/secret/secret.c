/*
 * secret.c - the secret memory type, generated passwords, and reading a
 * secret from stdin or a no-echo prompt.
 *
 * The bytes live in sodium_malloc() memory: guard pages around it, mlock()ed
 * when RLIMIT_MEMLOCK allows (sodium_malloc does it and ignores a refusal),
 * excluded from core dumps (MADV_DONTDUMP), read-only once filled, wiped by
 * sodium_free().  The small struct around it holds no secret.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "secret-int.h"
#include "secret.h"
#include "xmalloc.h"

struct secret {
	unsigned char *p;	/* sodium_malloc(cap + 1) */
	size_t len;		/* bytes in use; p[len] == 0 */
	size_t cap;
	int locked;		/* read-only */
};

struct secret *
secret_alloc(size_t len)
{
	struct secret *s;

	if (len == SIZE_MAX)
		abort();
	s = xcalloc(1, sizeof(*s));
	if ((s->p = sodium_malloc(len + 1)) == NULL) {
		fprintf(stderr, "rdsreconcile: out of secure memory "
		    "(%zu bytes)\n", len + 1);
		abort();
	}
	/* sodium_malloc fills with 0xdb; start from zeros. */
	sodium_memzero(s->p, len + 1);
	s->len = s->cap = len;
	return s;
}

unsigned char *
secret_wdata(struct secret *s)
{
	if (s->locked)
		abort();
	return s->p;
}

void
secret_truncate(struct secret *s, size_t len)
{
	if (s->locked || len > s->len)
		abort();
	sodium_memzero(s->p + len, s->len - len + 1);
	s->len = len;
}

void
secret_lock(struct secret *s)
{
	/* Stray writes into a password now fault instead of corrupting it. */
	if (!s->locked && sodium_mprotect_readonly(s->p) == 0)
		s->locked = 1;
}

struct secret *
secret_new(const void *p, size_t len)
{
	struct secret *s = secret_alloc(len);

	if (len > 0)
		memcpy(s->p, p, len);
	secret_lock(s);
	return s;
}

const char *
secret_data(const struct secret *s)
{
	return (const char *)s->p;
}

size_t
secret_len(const struct secret *s)
{
	return s->len;
}

int
secret_equal(const struct secret *a, const struct secret *b)
{
	if (a->len != b->len)
		return 0;
	return a->len == 0 || sodium_memcmp(a->p, b->p, a->len) == 0;
}

void
secret_free(struct secret *s)
{
	if (s == NULL)
		return;
	/* sodium_free makes the region writable again and wipes it. */
	sodium_free(s->p);
	free(s);
}

/* ---- generated passwords ---- */

static const char pw_lower[] = "abcdefghijklmnopqrstuvwxyz";
static const char pw_upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
static const char pw_digit[] = "0123456789";
/* No quote, backslash, '%', '@', '/', '$', space or '#'. */
static const char pw_symbol[] = "-_.+=";

enum rr_err
secret_random_password(struct secret **out, size_t len)
{
	char set[sizeof(pw_lower) + sizeof(pw_upper) + sizeof(pw_digit) +
	    sizeof(pw_symbol)];
	struct secret *s;
	unsigned char *p;
	size_t i, n;
	int classes;

	if (len == 0 || len > SECRET_MAX_LEN)
		return rr_seterr(RR_ERR_USAGE, "password length %zu is not in "
		    "1..%d", len, SECRET_MAX_LEN);
	snprintf(set, sizeof(set), "%s%s%s%s", pw_lower, pw_upper, pw_digit,
	    pw_symbol);
	n = strlen(set);
	s = secret_alloc(len);
	p = secret_wdata(s);
	/*
	 * Uniform draws (randombytes_uniform has no modulo bias); redraw the
	 * whole password until each class appears, which keeps the result
	 * uniform over the accepted ones.  About 1 in 19 is redrawn at 32.
	 */
	do {
		for (i = 0; i < len; i++)
			p[i] = (unsigned char)set[randombytes_uniform(
			    (uint32_t)n)];
		classes = 0;
		for (i = 0; i < len; i++) {
			if (strchr(pw_lower, p[i]) != NULL)
				classes |= 1;
			else if (strchr(pw_upper, p[i]) != NULL)
				classes |= 2;
			else if (strchr(pw_digit, p[i]) != NULL)
				classes |= 4;
			else
				classes |= 8;
		}
	} while (len >= 4 && classes != 15);
	secret_lock(s);
	*out = s;
	return RR_OK;
}

/* ---- reading a secret ---- */

static volatile sig_atomic_t prompt_signal;

static void
prompt_onsignal(int sig)
{
	prompt_signal = sig;
}

/*
 * One line from the terminal fd with echo off, into s (capacity
 * SECRET_MAX_LEN + 1).  The terminal is restored on every path.
 */
static enum rr_err
prompt_line(struct secret *s, int fd, const char *prompt)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT,
	    SIGTSTP };
	struct sigaction sa, old_sa[sizeof(sigs) / sizeof(sigs[0])];
	struct termios old_t, t;
	unsigned char *p = secret_wdata(s), c;
	enum rr_err rc = RR_OK;
	size_t n = 0, i;
	ssize_t r;
	int restored = 1;

	if (tcgetattr(fd, &old_t) == -1)
		return rr_seterr(RR_ERR_IO, "cannot read terminal settings: "
		    "%s", strerror(errno));
	/* A signal must not leave the terminal without echo. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = prompt_onsignal;	/* no SA_RESTART: read gets EINTR */
	sigemptyset(&sa.sa_mask);
	prompt_signal = 0;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, &old_sa[i]);

	t = old_t;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	t.c_lflag |= ECHONL;
	if (tcsetattr(fd, TCSAFLUSH, &t) == -1) {
		rc = rr_seterr(RR_ERR_IO, "cannot turn terminal echo off: %s",
		    strerror(errno));
		goto out;
	}
	restored = 0;
	fputs(prompt, stderr);
	fflush(stderr);
	for (;;) {
		if (prompt_signal) {
			rc = rr_seterr(RR_ERR_INTERRUPTED, "interrupted at the "
			    "prompt");
			goto out;
		}
		r = read(fd, &c, 1);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = rr_seterr(RR_ERR_IO, "cannot read the terminal: %s",
			    strerror(errno));
			goto out;
		}
		if (r == 0 || c == '\n')
			break;
		if (n == SECRET_MAX_LEN) {
			rc = rr_seterr(RR_ERR_USAGE, "secret is longer than %d "
			    "bytes", SECRET_MAX_LEN);
			goto out;
		}
		p[n++] = c;
	}
	secret_truncate(s, n);
out:
	c = 0;
	if (!restored)
		tcsetattr(fd, TCSAFLUSH, &old_t);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &old_sa[i], NULL);
	if (!restored && rc == RR_ERR_INTERRUPTED)
		fputc('\n', stderr);
	return rc;
}

/* Everything from a non-terminal fd, at most SECRET_MAX_LEN bytes. */
static enum rr_err
read_all(struct secret *s, int fd, const char *name)
{
	unsigned char *p = secret_wdata(s);
	size_t n = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, p + n, SECRET_MAX_LEN + 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return rr_seterr(RR_ERR_IO, "cannot read the secret for "
			    "'%s' from stdin: %s", name, strerror(errno));
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > SECRET_MAX_LEN)
			return rr_seterr(RR_ERR_USAGE, "secret for '%s' is longer "
			    "than %d bytes", name, SECRET_MAX_LEN);
	}
	/* `echo pw |` and files ending in a newline mean "pw". */
	if (n > 0 && p[n - 1] == '\n')
		n--;
	secret_truncate(s, n);
	return RR_OK;
}

enum rr_err
secret_read_input(struct secret **out, int fd, const char *name)
{
	struct secret *a = NULL, *b = NULL;
	char *prompt = NULL;
	enum rr_err rc;

	a = secret_alloc(SECRET_MAX_LEN + 1);
	if (!isatty(fd)) {
		if ((rc = read_all(a, fd, name)) != RR_OK)
			goto out;
	} else {
		b = secret_alloc(SECRET_MAX_LEN + 1);
		prompt = xasprintf("secret for '%s': ", name);
		if ((rc = prompt_line(a, fd, prompt)) != RR_OK)
			goto out;
		free(prompt);
		prompt = xasprintf("again, to confirm: ");
		if ((rc = prompt_line(b, fd, prompt)) != RR_OK)
			goto out;
		if (!secret_equal(a, b)) {
			rc = rr_seterr(RR_ERR_USAGE, "the two entries for '%s' "
			    "differ", name);
			goto out;
		}
	}
	if (secret_len(a) == 0) {
		rc = rr_seterr(RR_ERR_USAGE, "empty secret for '%s'", name);
		goto out;
	}
	*out = secret_new(secret_data(a), secret_len(a));
	rc = RR_OK;
out:
	free(prompt);
	secret_free(a);
	secret_free(b);
	return rc;
}
