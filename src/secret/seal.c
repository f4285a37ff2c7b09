/*
 * seal.c - sealed files and the store of generated passwords.
 *
 * A sealed file (doc/sealed-format.md) is text safe to commit:
 *
 *   rdsreconcile-sealed-v1
 *   name: admin
 *   key-id: 3f2a9c01d4e5b6a7
 *   ciphertext: <base64 of crypto_box_seal(plaintext, public key)>
 *
 * with plaintext = 0x01 || u16 big-endian name length || name || secret.
 * The name: line is for people and for a cheap early check; the name that
 * counts is the one inside the box, which the Poly1305 tag authenticates.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "buf.h"
#include "err.h"
#include "fileio.h"
#include "secret-int.h"
#include "secret.h"
#include "xmalloc.h"

#define SEALED_VERSION "rdsreconcile-sealed-v1"
/* The first byte of the plaintext: the layout above. */
#define INNER_VERSION 0x01
#define INNER_HEAD 3	/* version byte + u16 name length */
#define SEALED_FILE_MAX 16384

static int
name_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
	    c == '/';
}

/* Bytes p[0..n) form a valid name (safe to quote in a message). */
static int
name_ok(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n > SECRET_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char((unsigned char)p[i]))
			return 0;
	return 1;
}

enum rr_err
secret_name_check(const char *name)
{
	if (!name_ok(name, strlen(name)))
		return rr_seterr(RR_ERR_USAGE, "invalid secret name '%.*s': "
		    "use 1 to %d of A-Z a-z 0-9 . _ - /",
		    SECRET_NAME_MAX, name, SECRET_NAME_MAX);
	return RR_OK;
}

enum rr_err
secret_seal(char **out, const char *name, const struct secret *s,
    const struct secret_pubkey *pub)
{
	struct secret *plain = NULL;
	unsigned char *p, *ct = NULL;
	char *b64 = NULL;
	size_t nlen = strlen(name), plen, clen, blen;
	enum rr_err rc;

	if ((rc = secret_name_check(name)) != RR_OK)
		goto out;
	if (secret_len(s) > SECRET_MAX_LEN) {
		rc = rr_seterr(RR_ERR_USAGE, "secret for '%s' is longer than "
		    "%d bytes", name, SECRET_MAX_LEN);
		goto out;
	}
	plen = INNER_HEAD + nlen + secret_len(s);
	plain = secret_alloc(plen);
	p = secret_wdata(plain);
	p[0] = INNER_VERSION;
	p[1] = (unsigned char)(nlen >> 8);
	p[2] = (unsigned char)(nlen & 0xff);
	memcpy(p + INNER_HEAD, name, nlen);
	memcpy(p + INNER_HEAD + nlen, secret_data(s), secret_len(s));

	clen = plen + crypto_box_SEALBYTES;
	ct = xmalloc(clen);
	if (crypto_box_seal(ct, p, plen, pub->pk) != 0) {
		rc = rr_seterr(RR_ERR_CRYPTO, "cannot seal '%s' to key %s", name,
		    pub->id);
		goto out;
	}
	blen = sodium_base64_ENCODED_LEN(clen, sodium_base64_VARIANT_ORIGINAL);
	b64 = xmalloc(blen);
	sodium_bin2base64(b64, blen, ct, clen, sodium_base64_VARIANT_ORIGINAL);
	*out = xasprintf("%s\nname: %s\nkey-id: %s\nciphertext: %s\n",
	    SEALED_VERSION, name, pub->id, b64);
	rc = RR_OK;
out:
	secret_free(plain);
	free(ct);
	free(b64);
	return rc;
}

enum rr_err
secret_unseal(struct secret **out, const char *text, size_t len,
    const char *what, const char *expected_name,
    const struct secret_keypair *key)
{
	struct sfield f[] = { { "name", NULL, 0 }, { "key-id", NULL, 0 },
	    { "ciphertext", NULL, 0 } };
	const struct secret_pubkey *pub = secret_keypair_public(key);
	const char *endp, *inner;
	struct secret *plain = NULL;
	unsigned char *ct = NULL;
	size_t clen, cmax, nlen;
	enum rr_err rc;

	if ((rc = stext_parse(f, 3, text, len, SEALED_VERSION, "sealed file",
	    what)) != RR_OK)
		goto out;
	if (!name_ok(f[0].v, f[0].vlen)) {
		rc = rr_seterr(RR_ERR_PARSE, "sealed file '%s': 'name' is not a "
		    "valid name", what);
		goto out;
	}
	if (strlen(expected_name) != f[0].vlen ||
	    memcmp(f[0].v, expected_name, f[0].vlen) != 0) {
		rc = rr_seterr(RR_ERR_CRYPTO, "sealed file '%s' holds '%.*s', "
		    "not '%s'", what, (int)f[0].vlen, f[0].v, expected_name);
		goto out;
	}
	if (f[1].vlen != SECRET_KEYID_CHARS ||
	    memcmp(f[1].v, pub->id, SECRET_KEYID_CHARS) != 0) {
		rc = rr_seterr(RR_ERR_CRYPTO, "sealed file '%s' is sealed to key "
		    "'%.*s', not to this private key ('%s')", what,
		    f[1].vlen == SECRET_KEYID_CHARS ? SECRET_KEYID_CHARS : 0,
		    f[1].v, pub->id);
		goto out;
	}
	cmax = crypto_box_SEALBYTES + INNER_HEAD + SECRET_NAME_MAX +
	    SECRET_MAX_LEN;
	ct = xmalloc(cmax);
	if (sodium_base642bin(ct, cmax, f[2].v, f[2].vlen, NULL, &clen, &endp,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || endp != f[2].v + f[2].vlen) {
		rc = rr_seterr(RR_ERR_PARSE, "sealed file '%s': 'ciphertext' is "
		    "not valid base64 (truncated or edited?)", what);
		goto out;
	}
	if (clen < crypto_box_SEALBYTES + INNER_HEAD + 1) {
		rc = rr_seterr(RR_ERR_CRYPTO, "sealed file '%s': ciphertext is "
		    "too short (%zu bytes; truncated?)", what, clen);
		goto out;
	}
	plain = secret_alloc(clen - crypto_box_SEALBYTES);
	if (crypto_box_seal_open(secret_wdata(plain), ct, clen, pub->pk,
	    skey_secret(key)) != 0) {
		rc = rr_seterr(RR_ERR_CRYPTO, "sealed file '%s' does not open "
		    "with key '%s': the ciphertext was altered or damaged",
		    what, pub->id);
		goto out;
	}
	secret_lock(plain);
	inner = secret_data(plain);
	nlen = ((size_t)(unsigned char)inner[1] << 8) | (unsigned char)inner[2];
	if ((unsigned char)inner[0] != INNER_VERSION ||
	    INNER_HEAD + nlen > secret_len(plain) ||
	    !name_ok(inner + INNER_HEAD, nlen)) {
		rc = rr_seterr(RR_ERR_CRYPTO, "sealed file '%s': the sealed "
		    "content has an unknown layout", what);
		goto out;
	}
	/* The header is unauthenticated; only the sealed name binds. */
	if (nlen != f[0].vlen || memcmp(inner + INNER_HEAD, f[0].v, nlen) != 0) {
		rc = rr_seterr(RR_ERR_CRYPTO, "sealed file '%s' holds '%.*s', "
		    "not '%s' (its name: line was edited)", what, (int)nlen,
		    inner + INNER_HEAD, expected_name);
		goto out;
	}
	*out = secret_new(inner + INNER_HEAD + nlen,
	    secret_len(plain) - INNER_HEAD - nlen);
	rc = RR_OK;
out:
	secret_free(plain);
	free(ct);
	return rc;
}

enum rr_err
secret_seal_to_file(const char *path, const char *name,
    const struct secret *s, const struct secret_pubkey *pub, mode_t mode)
{
	char *text = NULL;
	enum rr_err rc;

	if ((rc = secret_seal(&text, name, s, pub)) != RR_OK)
		goto out;
	rc = file_write_atomic(path, text, strlen(text), mode, 0, NULL);
out:
	free(text);
	return rc;
}

enum rr_err
secret_unseal_file(struct secret **out, const char *path,
    const char *expected_name, const struct secret_keypair *key)
{
	struct buf b;
	enum rr_err rc;

	if ((rc = file_read(&b, path, SEALED_FILE_MAX, "sealed file")) !=
	    RR_OK)
		return rc;
	rc = secret_unseal(out, buf_str(&b), b.len, path, expected_name, key);
	buf_release(&b);
	return rc;
}

/* ---- the store ---- */

static enum rr_err
store_check(const char *object, const char *purpose)
{
	size_t i, n = strlen(object);

	if (n == 0 || n > 100 || object[0] == '.')
		goto bad_object;
	for (i = 0; i < n; i++)
		if (object[i] == '/' || !name_char((unsigned char)object[i]))
			goto bad_object;
	n = strlen(purpose);
	if (n == 0 || n > 32)
		goto bad_purpose;
	for (i = 0; i < n; i++)
		if (!((purpose[i] >= 'a' && purpose[i] <= 'z') ||
		    (purpose[i] >= '0' && purpose[i] <= '9') ||
		    purpose[i] == '-'))
			goto bad_purpose;
	return RR_OK;
bad_object:
	return rr_seterr(RR_ERR_USAGE, "object name '%.100s' cannot name a "
	    "state file: use 1 to 100 of A-Z a-z 0-9 . _ -, not starting "
	    "with '.'", object);
bad_purpose:
	return rr_seterr(RR_ERR_USAGE, "purpose '%.32s' is not 1 to 32 of "
	    "a-z 0-9 -", purpose);
}

char *
secret_store_path(const char *state_dir, const char *object,
    const char *purpose)
{
	return xasprintf("%s/%s.%s.sealed", state_dir, object, purpose);
}

static enum rr_err
store_mkdir(const char *state_dir)
{
	struct stat st;

	if (mkdir(state_dir, 0700) == -1 && errno != EEXIST)
		return rr_seterr(RR_ERR_IO, "cannot create state directory "
		    "'%s': %s", state_dir, strerror(errno));
	if (stat(state_dir, &st) == -1 || !S_ISDIR(st.st_mode))
		return rr_seterr(RR_ERR_IO, "state directory '%s' is not a "
		    "directory", state_dir);
	return RR_OK;
}

/* Generate, seal and write; noreplace for the first creation. */
static enum rr_err
store_write_new(struct secret **out, int *existed, const char *path,
    const char *name, const struct secret_keypair *key, int noreplace)
{
	struct secret *s = NULL;
	char *text = NULL;
	enum rr_err rc;

	if ((rc = secret_random_password(&s, SECRET_REPL_PASSWORD_LEN)) !=
	    RR_OK)
		goto out;
	if ((rc = secret_seal(&text, name, s, secret_keypair_public(key))) !=
	    RR_OK)
		goto out;
	if ((rc = file_write_atomic(path, text, strlen(text), 0600,
	    noreplace, existed)) != RR_OK)
		goto out;
	*out = s;
	s = NULL;	/* transferred */
out:
	secret_free(s);
	free(text);
	return rc;
}

enum rr_err
secret_store_load_or_create(struct secret **out, int *created,
    const char *state_dir, const char *object, const char *purpose,
    const struct secret_keypair *key)
{
	struct secret *s = NULL;
	char *path = NULL, *name = NULL;
	enum rr_err rc;
	int existed = 0;

	if ((rc = store_check(object, purpose)) != RR_OK)
		goto out;
	if ((rc = store_mkdir(state_dir)) != RR_OK)
		goto out;
	path = secret_store_path(state_dir, object, purpose);
	name = xasprintf("%s/%s", object, purpose);
	rc = secret_unseal_file(&s, path, name, key);
	if (rc == RR_OK) {
		existed = 1;
		goto done;
	}
	if (rc != RR_ERR_NOT_FOUND)
		goto out;
	if ((rc = store_write_new(&s, &existed, path, name, key, 1)) != RR_OK)
		goto out;
	if (existed) {
		/* Another run created it between our read and write: use its. */
		secret_free(s);
		s = NULL;
		if ((rc = secret_unseal_file(&s, path, name, key)) != RR_OK)
			goto out;
	}
done:
	if (created != NULL)
		*created = !existed;
	*out = s;
	s = NULL;	/* transferred */
	rc = RR_OK;
out:
	secret_free(s);
	free(path);
	free(name);
	return rc;
}

enum rr_err
secret_store_rotate(struct secret **out, const char *state_dir,
    const char *object, const char *purpose,
    const struct secret_keypair *key)
{
	char *path = NULL, *name = NULL;
	enum rr_err rc;

	if ((rc = store_check(object, purpose)) != RR_OK)
		goto out;
	if ((rc = store_mkdir(state_dir)) != RR_OK)
		goto out;
	path = secret_store_path(state_dir, object, purpose);
	name = xasprintf("%s/%s", object, purpose);
	rc = store_write_new(out, NULL, path, name, key, 0);
out:
	free(path);
	free(name);
	return rc;
}

enum rr_err
secret_store_remove(const char *state_dir, const char *object,
    const char *purpose)
{
	char *path = NULL;
	enum rr_err rc;
	int dfd;

	if ((rc = store_check(object, purpose)) != RR_OK)
		return rc;
	path = secret_store_path(state_dir, object, purpose);
	if (unlink(path) == -1 && errno != ENOENT) {
		rc = rr_seterr(RR_ERR_IO, "cannot remove '%s': %s", path,
		    strerror(errno));
		goto out;
	}
	if ((dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	rc = RR_OK;
out:
	free(path);
	return rc;
}
