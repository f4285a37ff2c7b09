/*
 * key.c - X25519 key pairs: keygen, loading with ssh-like permission checks.
 *
 * Files (doc/sealed-format.md):
 *   rdsreconcile-private-key-v1        rdsreconcile-public-key-v1
 *   key-id: <16 hex>                   key-id: <16 hex>
 *   private-key: <base64, 32 bytes>    public-key: <base64, 32 bytes>
 * The private key text is read, decoded and built only in secret memory.
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

#define PRIV_VERSION "rdsreconcile-private-key-v1"
#define PUB_VERSION "rdsreconcile-public-key-v1"
/* Both key files are a few lines; anything larger is not ours. */
#define KEYFILE_MAX 1024

struct secret_keypair {
	struct secret *sk;		/* crypto_box_SECRETKEYBYTES */
	struct secret_pubkey pub;
};

void
skey_id(char *id, const unsigned char *pk)
{
	unsigned char h[crypto_generichash_BYTES];

	crypto_generichash(h, sizeof(h), pk, SECRET_PUBKEY_BYTES, NULL, 0);
	sodium_bin2hex(id, SECRET_KEYID_CHARS + 1, h, SECRET_KEYID_CHARS / 2);
}

const struct secret_pubkey *
secret_keypair_public(const struct secret_keypair *k)
{
	return &k->pub;
}

const unsigned char *
skey_secret(const struct secret_keypair *k)
{
	return (const unsigned char *)secret_data(k->sk);
}

void
secret_keypair_free(struct secret_keypair *k)
{
	if (k == NULL)
		return;
	secret_free(k->sk);
	free(k);
}

/* Create path with O_EXCL and mode, write the text, fsync. */
static enum rr_err
write_new(const char *path, const char *text, size_t len, mode_t mode)
{
	enum rr_err rc = RR_OK;
	ssize_t r;
	size_t off = 0;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    mode);
	if (fd == -1) {
		if (errno == EEXIST)
			return rr_seterr(RR_ERR_IO, "'%s' already exists; "
			    "keygen never overwrites a key", path);
		return rr_seterr(RR_ERR_IO, "cannot create '%s': %s", path,
		    strerror(errno));
	}
	/* The umask may have taken bits away from a public key: put back. */
	if (fchmod(fd, mode) == -1)
		rc = rr_seterr(RR_ERR_IO, "cannot chmod '%s': %s", path,
		    strerror(errno));
	while (rc == RR_OK && off < len) {
		r = write(fd, text + off, len - off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			rc = rr_seterr(RR_ERR_IO, "cannot write '%s': %s", path,
			    strerror(errno));
		else
			off += (size_t)r;
	}
	if (rc == RR_OK && fsync(fd) == -1)
		rc = rr_seterr(RR_ERR_IO, "cannot write '%s': %s", path,
		    strerror(errno));
	if (close(fd) == -1 && rc == RR_OK)
		rc = rr_seterr(RR_ERR_IO, "cannot write '%s': %s", path,
		    strerror(errno));
	if (rc != RR_OK)
		unlink(path);
	return rc;
}

enum rr_err
secret_keygen(struct secret_pubkey *pub, const char *dir)
{
	struct secret *sk = NULL, *text = NULL;
	unsigned char pk[crypto_box_PUBLICKEYBYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_box_PUBLICKEYBYTES,
	    sodium_base64_VARIANT_ORIGINAL)];
	char id[SECRET_KEYID_CHARS + 1], *priv_path, *pub_path, *pubtext = NULL;
	enum rr_err rc;
	struct stat st;
	int n, priv_written = 0;

	priv_path = xasprintf("%s/%s", dir, SECRET_PRIVATE_KEY_FILE);
	pub_path = xasprintf("%s/%s", dir, SECRET_PUBLIC_KEY_FILE);
	/* Check both first so a refusal leaves nothing half written. */
	if (lstat(priv_path, &st) == 0 || lstat(pub_path, &st) == 0) {
		rc = rr_seterr(RR_ERR_IO, "'%s' already exists; keygen never "
		    "overwrites a key", lstat(priv_path, &st) == 0 ?
		    priv_path : pub_path);
		goto out;
	}
	sk = secret_alloc(crypto_box_SECRETKEYBYTES);
	crypto_box_keypair(pk, secret_wdata(sk));
	skey_id(id, pk);

	/* version + key-id + "private-key: " + base64 + newlines */
	text = secret_alloc(256);
	n = snprintf((char *)secret_wdata(text), 256, "%s\nkey-id: %s\n"
	    "private-key: ", PRIV_VERSION, id);
	sodium_bin2base64((char *)secret_wdata(text) + n, 256 - (size_t)n,
	    secret_wdata(sk), crypto_box_SECRETKEYBYTES,
	    sodium_base64_VARIANT_ORIGINAL);
	n = (int)strlen(secret_data(text));
	secret_wdata(text)[n++] = '\n';
	secret_truncate(text, (size_t)n);
	if ((rc = write_new(priv_path, secret_data(text), secret_len(text),
	    0600)) != RR_OK)
		goto out;
	priv_written = 1;

	sodium_bin2base64(b64, sizeof(b64), pk, sizeof(pk),
	    sodium_base64_VARIANT_ORIGINAL);
	pubtext = xasprintf("%s\nkey-id: %s\npublic-key: %s\n", PUB_VERSION,
	    id, b64);
	if ((rc = write_new(pub_path, pubtext, strlen(pubtext), 0644)) !=
	    RR_OK)
		goto out;
	if (pub != NULL) {
		memcpy(pub->pk, pk, sizeof(pk));
		memcpy(pub->id, id, sizeof(id));
	}
	rc = RR_OK;
out:
	/* A private key without its public half is useless: take it back. */
	if (rc != RR_OK && priv_written)
		unlink(priv_path);
	secret_free(sk);
	secret_free(text);
	free(pubtext);
	free(priv_path);
	free(pub_path);
	return rc;
}

/* What "readable by others" means for mode m (m & 077 != 0). */
static const char *
loose_what(mode_t m)
{
	if (m & 044)
		return "readable by others";
	if (m & 022)
		return "writable by others";
	return "accessible by others";
}

enum rr_err
secret_keypair_load_private(struct secret_keypair **out, const char *path)
{
	struct secret_keypair *k = NULL;
	struct secret *text = NULL;
	struct sfield f[] = { { "key-id", NULL, 0 }, { "private-key", NULL, 0 } };
	unsigned char *p;
	enum rr_err rc;
	struct stat st;
	size_t len = 0;
	ssize_t r;
	int fd = -1;

	if (path == NULL && (path = getenv(SECRET_PRIVATE_KEY_ENV)) == NULL) {
		rc = rr_seterr(RR_ERR_USAGE, "no private key: give its path or "
		    "set %s", SECRET_PRIVATE_KEY_ENV);
		goto out;
	}
	/* O_NONBLOCK: a FIFO must not hang us (refused below). */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) ==
	    -1) {
		rc = rr_seterr(errno == ENOENT ? RR_ERR_NOT_FOUND : RR_ERR_IO,
		    "cannot open private key '%s': %s", path, strerror(errno));
		goto out;
	}
	/* fstat the open file: what we check is what we read. */
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		rc = rr_seterr(RR_ERR_CRYPTO, "private key '%s' is not a "
		    "regular file", path);
		goto out;
	}
	if (st.st_uid != geteuid()) {
		rc = rr_seterr(RR_ERR_CRYPTO, "private key '%s' is owned by "
		    "uid %u, not by uid %u who runs rdsreconcile", path,
		    (unsigned)st.st_uid, (unsigned)geteuid());
		goto out;
	}
	if ((st.st_mode & 077) != 0) {
		rc = rr_seterr(RR_ERR_CRYPTO, "private key '%s' is %s (mode "
		    "%04o); chmod 600 it", path, loose_what(st.st_mode),
		    (unsigned)(st.st_mode & 07777));
		goto out;
	}
	text = secret_alloc(KEYFILE_MAX + 1);
	p = secret_wdata(text);
	for (;;) {
		r = read(fd, p + len, KEYFILE_MAX + 1 - len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = rr_seterr(RR_ERR_IO, "cannot read private key "
			    "'%s': %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if ((len += (size_t)r) > KEYFILE_MAX) {
			rc = rr_seterr(RR_ERR_PARSE, "private key '%s' is larger "
			    "than %d bytes", path, KEYFILE_MAX);
			goto out;
		}
	}
	if ((rc = stext_parse(f, 2, (const char *)p, len, PRIV_VERSION,
	    "private key", path)) != RR_OK)
		goto out;
	k = xcalloc(1, sizeof(*k));
	k->sk = secret_alloc(crypto_box_SECRETKEYBYTES);
	if ((rc = sfield_base64(secret_wdata(k->sk), crypto_box_SECRETKEYBYTES,
	    &f[1], "private key", path)) != RR_OK)
		goto out;
	secret_lock(k->sk);
	if (crypto_scalarmult_base(k->pub.pk,
	    (const unsigned char *)secret_data(k->sk)) != 0) {
		rc = rr_seterr(RR_ERR_CRYPTO, "private key '%s' is not a usable "
		    "X25519 key", path);
		goto out;
	}
	skey_id(k->pub.id, k->pub.pk);
	if (f[0].vlen != SECRET_KEYID_CHARS ||
	    memcmp(f[0].v, k->pub.id, SECRET_KEYID_CHARS) != 0) {
		rc = rr_seterr(RR_ERR_CRYPTO, "private key '%s': key-id does "
		    "not match the key (file damaged?)", path);
		goto out;
	}
	*out = k;
	k = NULL;	/* transferred */
	rc = RR_OK;
out:
	if (fd != -1)
		close(fd);
	secret_free(text);
	secret_keypair_free(k);
	return rc;
}

enum rr_err
secret_public_key_load(struct secret_pubkey *out, const char *path)
{
	struct sfield f[] = { { "key-id", NULL, 0 }, { "public-key", NULL, 0 } };
	struct secret_pubkey pub;
	struct buf b;
	enum rr_err rc;

	if ((rc = file_read(&b, path, KEYFILE_MAX, "public key")) != RR_OK)
		return rc;
	if ((rc = stext_parse(f, 2, buf_str(&b), b.len, PUB_VERSION,
	    "public key", path)) != RR_OK)
		goto out;
	if ((rc = sfield_base64(pub.pk, sizeof(pub.pk), &f[1], "public key",
	    path)) != RR_OK)
		goto out;
	skey_id(pub.id, pub.pk);
	if (f[0].vlen != SECRET_KEYID_CHARS ||
	    memcmp(f[0].v, pub.id, SECRET_KEYID_CHARS) != 0) {
		rc = rr_seterr(RR_ERR_PARSE, "public key '%s': key-id does not "
		    "match the key (file damaged?)", path);
		goto out;
	}
	*out = pub;
	rc = RR_OK;
out:
	buf_release(&b);
	return rc;
}
