/*
 * test-secret.c - secret memory, keys, sealed files and the password store.
 *
 * Every rejected file must fail with its own code and message, and no
 * error detail may contain the plaintext.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "err.h"
#include "secret.h"
#include "tap.h"
#include "xmalloc.h"

static char dir[64];
static const char plain[] = "s3cret-Plaintext-9f8e7d";

static char *
path_in(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void
write_text(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(text, 1, len, f) != len || fclose(f) != 0)
		abort();
}

static int
file_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) == -1 ? -1 : (int)(st.st_mode & 07777);
}

/* The detail of the last error holds no plaintext. */
static int
err_clean(void)
{
	return strstr(rr_lasterr(), plain) == NULL &&
	    strstr(rr_lasterr(), "s3cret") == NULL;
}

/* Unseal text under name with key; return the code, check no leak. */
static enum rr_err
try_unseal(const char *text, const char *name,
    const struct secret_keypair *key)
{
	struct secret *s = NULL;
	enum rr_err rc;

	rr_clearerr();
	rc = secret_unseal(&s, text, strlen(text), "t.sealed", name, key);
	if (rc == RR_OK && (secret_len(s) != strlen(plain) ||
	    memcmp(secret_data(s), plain, strlen(plain)) != 0))
		rc = RR_ERR_INTERNAL;
	secret_free(s);
	ok(rc == RR_OK || err_clean(), "  ... error detail holds no plaintext");
	return rc;
}

/* text with the first occurrence of from replaced by to. */
static char *
replace(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);

	if (at == NULL)
		abort();
	return xasprintf("%.*s%s%s", (int)(at - text), text, to,
	    at + strlen(from));
}

static void
test_memory(void)
{
	struct secret *s, *t, *u;
	const char bin[] = { 'a', 0, 'b' };
	size_t i;
	int good;
	enum rr_err rc;

	s = secret_new(bin, sizeof(bin));
	ok(secret_len(s) == 3 && memcmp(secret_data(s), bin, 3) == 0 &&
	    secret_data(s)[3] == '\0', "secret_new copies bytes, NUL after");
	t = secret_new("", 0);
	ok(secret_len(t) == 0 && secret_data(t)[0] == '\0', "empty secret");
	ok(!secret_equal(s, t), "secret_equal: different lengths");
	secret_free(t);
	t = secret_new(bin, sizeof(bin));
	ok(secret_equal(s, t), "secret_equal: same bytes");
	secret_free(s);
	secret_free(t);
	secret_free(NULL);
	ok(1, "secret_free(NULL)");

	rc = secret_random_password(&s, SECRET_REPL_PASSWORD_LEN);
	is_int(rc, RR_OK, "random password");
	is_int(secret_len(s), 32, "random password is 32 long");
	good = strlen(secret_data(s)) == 32;
	for (i = 0; i < secret_len(s); i++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789-_.+=", secret_data(s)[i]) == NULL)
			good = 0;
	ok(good, "random password uses only the safe charset");
	ok(strpbrk(secret_data(s), "abcdefghijklmnopqrstuvwxyz") &&
	    strpbrk(secret_data(s), "ABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
	    strpbrk(secret_data(s), "0123456789") &&
	    strpbrk(secret_data(s), "-_.+="), "random password has all four "
	    "classes");
	rc = secret_random_password(&t, 32);
	ok(rc == RR_OK && !secret_equal(s, t), "two random passwords differ");
	secret_free(s);
	secret_free(t);
	/* Many draws: every one must pass the class rule. */
	good = 1;
	for (i = 0; i < 200; i++) {
		if (secret_random_password(&u, 8) != RR_OK) {
			good = 0;
			break;
		}
		if (!strpbrk(secret_data(u), "-_.+=") ||
		    !strpbrk(secret_data(u), "0123456789"))
			good = 0;
		secret_free(u);
	}
	ok(good, "200 short passwords all have every class");
	is_int(secret_random_password(&u, 0), RR_ERR_USAGE, "length 0 refused");
	is_int(secret_random_password(&u, SECRET_MAX_LEN + 1), RR_ERR_USAGE,
	    "over-long password refused");
}

static void
test_keys(void)
{
	struct secret_pubkey pub, pub2;
	struct secret_keypair *k = NULL;
	char *priv = path_in(SECRET_PRIVATE_KEY_FILE);
	char *pubp = path_in(SECRET_PUBLIC_KEY_FILE);
	char *before, *after, *want, *text;
	enum rr_err rc;

	is_int(secret_keygen(&pub, dir), RR_OK, "keygen");
	is_int(file_mode(priv), 0600, "private key file is 0600");
	is_int(file_mode(pubp), 0644, "public key file is 0644");
	text = tap_slurp(priv);
	ok(text && strncmp(text, "rdsreconcile-private-key-v1\nkey-id: ",
	    36) == 0, "private key file starts with its version line");
	free(text);
	text = tap_slurp(pubp);
	ok(text && strncmp(text, "rdsreconcile-public-key-v1\nkey-id: ",
	    35) == 0, "public key file starts with its version line");
	free(text);

	before = tap_slurp(priv);
	rc = secret_keygen(&pub2, dir);
	is_int(rc, RR_ERR_IO, "keygen refuses to overwrite");
	ok(strstr(rr_lasterr(), "already exists") != NULL,
	    "  ... saying it already exists");
	after = tap_slurp(priv);
	ok(before && after && strcmp(before, after) == 0,
	    "  ... and the private key is unchanged");
	free(before);
	free(after);

	is_int(secret_public_key_load(&pub2, pubp), RR_OK, "load public key");
	ok(memcmp(pub.pk, pub2.pk, sizeof(pub.pk)) == 0 &&
	    strcmp(pub.id, pub2.id) == 0, "  ... it is the generated one");
	is_int(strlen(pub.id), 16, "key id is 16 hex");

	rc = secret_keypair_load_private(&k, priv);
	is_int(rc, RR_OK, "load private key");
	ok(rc == RR_OK && memcmp(secret_keypair_public(k)->pk, pub.pk, 32) == 0,
	    "  ... public half derived matches the public key file");
	secret_keypair_free(k);
	k = NULL;

	chmod(priv, 0644);
	rc = secret_keypair_load_private(&k, priv);
	is_int(rc, RR_ERR_CRYPTO, "private key with mode 0644 refused");
	want = xasprintf("private key '%s' is readable by others (mode 0644); "
	    "chmod 600 it", priv);
	is_str(rr_lasterr(), want, "  ... with the ssh-like message");
	free(want);
	chmod(priv, 0620);
	is_int(secret_keypair_load_private(&k, priv), RR_ERR_CRYPTO,
	    "private key with mode 0620 refused");
	ok(strstr(rr_lasterr(), "writable by others (mode 0620)") != NULL,
	    "  ... as writable by others");
	chmod(priv, 0400);
	is_int(secret_keypair_load_private(&k, priv), RR_OK,
	    "private key with mode 0400 accepted");
	secret_keypair_free(k);
	k = NULL;
	chmod(priv, 0600);

	/* Owned by someone else: only root can set that up. */
	if (geteuid() == 0 && chown(priv, 65534, 65534) == 0) {
		is_int(secret_keypair_load_private(&k, priv), RR_ERR_CRYPTO,
		    "private key owned by another user refused");
		ok(strstr(rr_lasterr(), "is owned by uid 65534") != NULL,
		    "  ... naming the owner");
		if (chown(priv, 0, 0) != 0)
			abort();
	} else
		ok(1, "# skip ownership check: needs root");

	unsetenv(SECRET_PRIVATE_KEY_ENV);
	is_int(secret_keypair_load_private(&k, NULL), RR_ERR_USAGE,
	    "no path and no environment variable: usage error");
	setenv(SECRET_PRIVATE_KEY_ENV, priv, 1);
	is_int(secret_keypair_load_private(&k, NULL), RR_OK,
	    "path from " SECRET_PRIVATE_KEY_ENV);
	secret_keypair_free(k);
	k = NULL;
	unsetenv(SECRET_PRIVATE_KEY_ENV);

	/* A damaged private key: key-id no longer matches. */
	text = tap_slurp(priv);
	before = replace(text, "key-id: ", "key-id: 0");
	after = xasprintf("%.*s%s", (int)(strstr(before, "\nprivate") - before
	    - 1), before, strstr(before, "\nprivate"));
	write_text(priv, after, strlen(after));
	is_int(secret_keypair_load_private(&k, priv), RR_ERR_CRYPTO,
	    "private key whose key-id does not match refused");
	/* A mangled line is not quoted back: it could be key material. */
	free(after);
	after = xasprintf("%sQk+x/Zz: 1\n", text);
	write_text(priv, after, strlen(after));
	is_int(secret_keypair_load_private(&k, priv), RR_ERR_PARSE,
	    "private key with a stray line refused");
	ok(strstr(rr_lasterr(), "Qk+x") == NULL,
	    "  ... without quoting the line");
	write_text(priv, text, strlen(text));
	free(text);
	free(before);
	free(after);
	is_int(secret_keypair_load_private(&k, priv), RR_OK,
	    "restored private key loads");
	secret_keypair_free(k);
	free(priv);
	free(pubp);
}

static void
test_seal(void)
{
	struct secret_keypair *k = NULL, *k2 = NULL;
	struct secret_pubkey pub2;
	struct secret *s = NULL, *got = NULL;
	char *priv = path_in(SECRET_PRIVATE_KEY_FILE), *text = NULL, *t;
	char *dir2, *path, *p2, *cut;
	const char *ct;
	enum rr_err rc;
	size_t n;

	if (secret_keypair_load_private(&k, priv) != RR_OK)
		abort();
	dir2 = xasprintf("%s/other", dir);
	mkdir(dir2, 0700);
	if (secret_keygen(&pub2, dir2) != RR_OK)
		abort();
	p2 = xasprintf("%s/%s", dir2, SECRET_PRIVATE_KEY_FILE);
	if (secret_keypair_load_private(&k2, p2) != RR_OK)
		abort();

	s = secret_new(plain, strlen(plain));
	rc = secret_seal(&text, "admin", s, secret_keypair_public(k));
	is_int(rc, RR_OK, "seal");
	ok(strstr(text, plain) == NULL, "sealed text holds no plaintext");
	ok(strncmp(text, "rdsreconcile-sealed-v1\nname: admin\nkey-id: ",
	    43) == 0, "sealed text: version, name, key-id");
	is_int(try_unseal(text, "admin", k), RR_OK, "unseal round trip");

	/* Binary and empty secrets round-trip too. */
	{
		static const char bin[] = { 0, '\n', (char)0xff, 'x' };
		struct secret *b = secret_new(bin, sizeof(bin));
		char *bt = NULL;

		rc = secret_seal(&bt, "bin", b, secret_keypair_public(k));
		ok(rc == RR_OK && secret_unseal(&got, bt, strlen(bt), "b", "bin",
		    k) == RR_OK && secret_equal(got, b),
		    "binary secret round trip");
		secret_free(got);
		got = NULL;
		free(bt);
		secret_free(b);
	}

	/* Tampered: one base64 character of the ciphertext changed. */
	ct = strstr(text, "ciphertext: ") + 12;
	t = xstrdup(text);
	n = (size_t)(ct - text) + 20;
	t[n] = t[n] == 'A' ? 'B' : 'A';
	is_int(try_unseal(t, "admin", k), RR_ERR_CRYPTO,
	    "tampered ciphertext rejected");
	ok(strstr(rr_lasterr(), "altered or damaged") != NULL,
	    "  ... as altered or damaged");
	free(t);

	/* Truncated: the file cut inside the ciphertext line. */
	cut = xstrndup(text, (size_t)(ct - text) + 30);
	is_int(try_unseal(cut, "admin", k), RR_ERR_PARSE,
	    "file cut mid-line rejected");
	ok(strstr(rr_lasterr(), "truncated") != NULL, "  ... as truncated");
	free(cut);
	/* Truncated: the ciphertext line shortened but still terminated. */
	cut = xasprintf("%.*s\n", (int)(ct - text) + 40, text);
	rc = try_unseal(cut, "admin", k);
	ok(rc == RR_ERR_PARSE || rc == RR_ERR_CRYPTO,
	    "shortened ciphertext rejected");
	free(cut);
	cut = xasprintf("%.*s\n", (int)(ct - text) + 8, text);
	is_int(try_unseal(cut, "admin", k), RR_ERR_CRYPTO,
	    "ciphertext shorter than a sealed box rejected");
	ok(strstr(rr_lasterr(), "too short") != NULL, "  ... as too short");
	free(cut);
	cut = xstrndup(text, 30);
	is_int(try_unseal(cut, "admin", k), RR_ERR_PARSE,
	    "file cut after the header rejected");
	free(cut);

	/* Wrong key. */
	is_int(try_unseal(text, "admin", k2), RR_ERR_CRYPTO,
	    "wrong private key rejected");
	ok(strstr(rr_lasterr(), "is sealed to key") != NULL,
	    "  ... naming the key it was sealed to");
	/* Wrong key, key-id line forged to match it. */
	t = replace(text, secret_keypair_public(k)->id, pub2.id);
	is_int(try_unseal(t, "admin", k2), RR_ERR_CRYPTO,
	    "wrong key with a forged key-id rejected");
	ok(strstr(rr_lasterr(), "does not open") != NULL,
	    "  ... because the box does not open");
	free(t);

	/* Wrong name: the caller expects another field. */
	is_int(try_unseal(text, "replication", k), RR_ERR_CRYPTO,
	    "wrong name rejected");
	is_str(rr_lasterr(), "sealed file 't.sealed' holds 'admin', not "
	    "'replication'", "  ... holds 'admin', not 'replication'");
	/* Moved: header renamed to the expected field; the sealed name says no. */
	t = replace(text, "name: admin", "name: replication");
	is_int(try_unseal(t, "replication", k), RR_ERR_CRYPTO,
	    "moved value with an edited name: line rejected");
	ok(strstr(rr_lasterr(), "its name: line was edited") != NULL,
	    "  ... because the sealed name differs");
	free(t);

	/* Versions. */
	t = replace(text, "sealed-v1", "sealed-v2");
	is_int(try_unseal(t, "admin", k), RR_ERR_PARSE, "version v2 rejected");
	ok(strstr(rr_lasterr(), "has version 'rdsreconcile-sealed-v2'") !=
	    NULL, "  ... naming the version");
	free(t);
	t = replace(text, "rdsreconcile-sealed-v1", "hello");
	is_int(try_unseal(t, "admin", k), RR_ERR_PARSE,
	    "not a sealed file rejected");
	ok(strstr(rr_lasterr(), "does not start with") != NULL,
	    "  ... as not starting with the version line");
	free(t);

	/* Missing, unknown and repeated fields. */
	t = replace(text, "name: admin\n", "");
	is_int(try_unseal(t, "admin", k), RR_ERR_PARSE, "missing name rejected");
	ok(strstr(rr_lasterr(), "has no 'name:' line") != NULL,
	    "  ... has no 'name:' line");
	free(t);
	t = replace(text, "key-id: ", "keyid: ");
	is_int(try_unseal(t, "admin", k), RR_ERR_PARSE,
	    "missing key-id (misspelt) rejected");
	ok(strstr(rr_lasterr(), "unknown field 'keyid'") != NULL,
	    "  ... unknown field 'keyid'");
	free(t);
	cut = xstrndup(text, (size_t)(ct - text) - 12);
	is_int(try_unseal(cut, "admin", k), RR_ERR_PARSE,
	    "missing ciphertext rejected");
	ok(strstr(rr_lasterr(), "has no 'ciphertext:' line") != NULL,
	    "  ... has no 'ciphertext:' line");
	free(cut);
	t = replace(text, "name: admin\n", "name: admin\nname: admin\n");
	is_int(try_unseal(t, "admin", k), RR_ERR_PARSE,
	    "repeated field rejected");
	free(t);
	t = replace(text, "name: admin\n", "# a comment\n\nname: admin\n");
	is_int(try_unseal(t, "admin", k), RR_OK, "comments and blank lines ok");
	free(t);

	/* Names. */
	is_int(secret_name_check("prod-db/replication"), RR_OK, "name with /");
	is_int(secret_name_check(""), RR_ERR_USAGE, "empty name refused");
	is_int(secret_name_check("a b"), RR_ERR_USAGE, "name with space refused");
	is_int(secret_name_check("a\nname: b"), RR_ERR_USAGE,
	    "name with newline refused");

	/* Files: atomic, mode as asked, nothing else left behind. */
	path = xasprintf("%s/admin.sealed", dir2);
	is_int(secret_seal_to_file(path, "admin", s, secret_keypair_public(k),
	    0644), RR_OK, "seal to file");
	is_int(file_mode(path), 0644, "  ... mode 0644");
	rc = secret_unseal_file(&got, path, "admin", k);
	ok(rc == RR_OK && secret_equal(got, s), "unseal file round trip");
	secret_free(got);
	got = NULL;
	{
		DIR *d = opendir(dir2);
		struct dirent *e;
		int tmp = 0;

		while (d && (e = readdir(d)) != NULL)
			if (strstr(e->d_name, ".tmp.") != NULL)
				tmp++;
		if (d)
			closedir(d);
		is_int(tmp, 0, "  ... no temporary file left");
	}
	free(path);
	path = xasprintf("%s/fifo.sealed", dir2);
	mkfifo(path, 0644);
	is_int(secret_unseal_file(&got, path, "admin", k), RR_ERR_IO,
	    "a FIFO in place of a sealed file is refused, not waited on");
	free(path);
	path = xasprintf("%s/absent.sealed", dir2);
	is_int(secret_unseal_file(&got, path, "admin", k), RR_ERR_NOT_FOUND,
	    "absent sealed file: not found");
	free(path);

	secret_free(s);
	free(text);
	free(priv);
	free(p2);
	free(dir2);
	secret_keypair_free(k);
	secret_keypair_free(k2);
}

static void
test_store(void)
{
	struct secret_keypair *k = NULL;
	struct secret *a = NULL, *b = NULL, *c = NULL;
	char *priv = path_in(SECRET_PRIVATE_KEY_FILE);
	char *state = path_in("state"), *path, *other;
	int created = -1;
	enum rr_err rc;

	if (secret_keypair_load_private(&k, priv) != RR_OK)
		abort();
	rc = secret_store_load_or_create(&a, &created, state, "prod-db",
	    "replication", k);
	ok(rc == RR_OK && created == 1, "store: first call creates");
	is_int(rc == RR_OK ? secret_len(a) : 0, SECRET_REPL_PASSWORD_LEN,
	    "  ... a full-length password");
	path = secret_store_path(state, "prod-db", "replication");
	is_str(path + strlen(state), "/prod-db.replication.sealed",
	    "  ... in STATE/OBJECT.PURPOSE.sealed");
	is_int(file_mode(path), 0600, "  ... mode 0600");
	is_int(file_mode(state), 0700, "  ... state directory created 0700");
	rc = secret_store_load_or_create(&b, &created, state, "prod-db",
	    "replication", k);
	ok(rc == RR_OK && created == 0 && secret_equal(a, b),
	    "store: second call loads the same password");
	secret_free(b);
	b = NULL;

	/* Another object's file copied in place is refused, not used. */
	other = secret_store_path(state, "staging", "replication");
	{
		char *t = tap_slurp(path);

		write_text(other, t, strlen(t));
		free(t);
	}
	rc = secret_store_load_or_create(&b, &created, state, "staging",
	    "replication", k);
	is_int(rc, RR_ERR_CRYPTO, "store: another object's file refused");
	is_str(strstr(rr_lasterr(), "holds"), "holds 'prod-db/replication', "
	    "not 'staging/replication'", "  ... naming both");

	rc = secret_store_rotate(&c, state, "prod-db", "replication", k);
	ok(rc == RR_OK && !secret_equal(a, c), "store: rotate gives a new "
	    "password");
	rc = secret_store_load_or_create(&b, &created, state, "prod-db",
	    "replication", k);
	ok(rc == RR_OK && created == 0 && secret_equal(b, c),
	    "  ... which later loads");
	secret_free(b);
	b = NULL;

	is_int(secret_store_remove(state, "prod-db", "replication"), RR_OK,
	    "store: remove");
	ok(access(path, F_OK) == -1, "  ... the file is gone");
	is_int(secret_store_remove(state, "prod-db", "replication"), RR_OK,
	    "store: remove again is fine");
	rc = secret_store_load_or_create(&b, &created, state, "prod-db",
	    "replication", k);
	ok(rc == RR_OK && created == 1 && !secret_equal(b, c),
	    "store: after remove, a new one is created");

	is_int(secret_store_load_or_create(&b, &created, state, "../x",
	    "replication", k), RR_ERR_USAGE, "store: object with '/' refused");
	is_int(secret_store_load_or_create(&b, &created, state, "x",
	    "Repl", k), RR_ERR_USAGE, "store: bad purpose refused");

	secret_free(a);
	secret_free(b);
	secret_free(c);
	secret_keypair_free(k);
	free(path);
	free(other);
	free(priv);
	free(state);
}

/* secret_read_input from a pipe: bytes, one trailing newline dropped. */
static enum rr_err
read_from(struct secret **out, const char *in, size_t len)
{
	int fds[2];
	enum rr_err rc;

	if (pipe(fds) == -1 || write(fds[1], in, len) != (ssize_t)len)
		abort();
	close(fds[1]);
	rc = secret_read_input(out, fds[0], "t");
	close(fds[0]);
	return rc;
}

static void
test_input(void)
{
	struct secret *s = NULL;
	char *big;

	ok(read_from(&s, "pw\n", 3) == RR_OK && secret_len(s) == 2 &&
	    memcmp(secret_data(s), "pw", 2) == 0, "input: one newline dropped");
	secret_free(s);
	s = NULL;
	ok(read_from(&s, "pw\n\n", 4) == RR_OK && secret_len(s) == 3,
	    "input: only one newline dropped");
	secret_free(s);
	s = NULL;
	ok(read_from(&s, "p w", 3) == RR_OK && secret_len(s) == 3,
	    "input: no newline, kept as is");
	secret_free(s);
	s = NULL;
	is_int(read_from(&s, "\n", 1), RR_ERR_USAGE, "input: empty refused");
	big = xmalloc(SECRET_MAX_LEN + 1);
	memset(big, 'x', SECRET_MAX_LEN + 1);
	is_int(read_from(&s, big, SECRET_MAX_LEN + 1), RR_ERR_USAGE,
	    "input: too long refused");
	free(big);
}

static void
cleanup(const char *d)
{
	char *cmd = xasprintf("rm -rf '%s'", d);

	if (system(cmd) != 0)
		fprintf(stderr, "# could not remove %s\n", d);
	free(cmd);
}

int
main(void)
{
	if (sodium_init() < 0)
		return 1;
	snprintf(dir, sizeof(dir), "/tmp/test-secret.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return 1;
	test_memory();
	test_keys();
	test_seal();
	test_store();
	test_input();
	cleanup(dir);
	return tap_done();
}
