/*
 * secret-int.h - helpers shared by the files of src/secret only.
 */
#ifndef RR_SECRET_INT_H
#define RR_SECRET_INT_H

#include <stddef.h>
#include <sys/types.h>

#include "buf.h"
#include "err.h"
#include "secret.h"

/* A writable secret of len bytes (zeroed, NUL after them). */
struct secret *secret_alloc(size_t len);
/* Its bytes, writable until secret_lock(). */
unsigned char *secret_wdata(struct secret *s);
/* Shorten to len bytes (wiping the rest); only before secret_lock(). */
void secret_truncate(struct secret *s, size_t len);
/* Make the bytes read-only. */
void secret_lock(struct secret *s);

/* One "field: value" line of a key or sealed file; v points into the text. */
struct sfield {
	const char *key;	/* field name, without the colon */
	const char *v;		/* value, not NUL-terminated; NULL if absent */
	size_t vlen;
};

/*
 * Check that text[0..len) starts with the line version ("rdsreconcile-KIND-v1")
 * and holds each of the n fields exactly once ("key: value" lines; empty
 * lines and lines starting with '#' ignored, any other line an error).
 * kind ("sealed file", "private key") and what (a path) word the errors.
 * No value is copied: the text may be secret.
 */
enum rr_err stext_parse(struct sfield *fields, size_t n, const char *text,
    size_t len, const char *version, const char *kind, const char *what);

/* Base64 (original variant, padded) value of f into exactly n bytes. */
enum rr_err sfield_base64(unsigned char *out, size_t n,
    const struct sfield *f, const char *kind, const char *what);

/* The private half of a key pair (crypto_box_SECRETKEYBYTES). */
const unsigned char *skey_secret(const struct secret_keypair *k);

/* Hex key id of a public key into id[SECRET_KEYID_CHARS + 1]. */
void skey_id(char *id, const unsigned char *pk);

#endif
