/*
 * secret.h - secret memory, X25519 keys, sealed files and the replication
 * password store.
 *
 * Credentials live in git as sealed files (libsodium crypto_box_seal to the
 * project's X25519 public key, format in doc/sealed-format.md).  Only a
 * holder of the private key can open them; anyone with the public key can
 * create them, so a sealed file says nothing about who wrote it: review of
 * the repository is what vouches for its content.  Each sealed value is bound
 * to a name ("admin", "prod-db/replication") that is encrypted with it, so a
 * value cannot be moved to another field unnoticed.
 *
 * Plaintext never sits in ordinary heap memory: a struct secret holds its
 * bytes in sodium_malloc() memory (guard pages, mlock()ed where the
 * RLIMIT_MEMLOCK allows, read-only once filled) that secret_free() wipes.
 * Nothing here prints or logs a secret; error details (rr_lasterr()) name
 * files, key ids and sealed names only.
 *
 * Every fallible function returns enum rr_err (RR_OK = 0) and sets the
 * detail with rr_seterr(); outputs come first and are set only on success.
 * Codes used: RR_ERR_USAGE (bad argument: name, length, missing key path),
 * RR_ERR_IO (open/read/write/rename failed), RR_ERR_PARSE (a key or sealed
 * file is malformed: version line, field, base64), RR_ERR_CRYPTO (wrong key,
 * tampered or truncated ciphertext, name mismatch, loose key permissions),
 * RR_ERR_NOT_FOUND (a file that must exist does not).
 */
#ifndef RR_SECRET_H
#define RR_SECRET_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

#define SECRET_WUR __attribute__((warn_unused_result))

/* X25519 sizes, bytes (crypto_box_PUBLICKEYBYTES / SECRETKEYBYTES). */
#define SECRET_PUBKEY_BYTES 32
/* Key id: the first 8 bytes of BLAKE2b-256(public key) as 16 lower hex. */
#define SECRET_KEYID_CHARS 16

/* Longest secret accepted by seal and stored in a sealed file, bytes. */
#define SECRET_MAX_LEN 4096
/* Sealed names: 1..SECRET_NAME_MAX of [A-Za-z0-9._/-]. */
#define SECRET_NAME_MAX 200

/*
 * Generated password length.  32 is the most MySQL 5.7 accepts for
 * CHANGE MASTER TO MASTER_PASSWORD (error 3056,
 * ER_CHANGE_MASTER_PASSWORD_LENGTH; longer ones were truncated before),
 * and so for mysql.rds_set_external_master.
 */
#define SECRET_REPL_PASSWORD_LEN 32

/* The file names keygen writes into its directory. */
#define SECRET_PRIVATE_KEY_FILE "rdsreconcile.key"
#define SECRET_PUBLIC_KEY_FILE "rdsreconcile.pub"
/* Read by secret_keypair_load_private() when given no path. */
#define SECRET_PRIVATE_KEY_ENV "RDSRECONCILE_PRIVATE_KEY_FILE"

/* ---- secret memory ---- */

/* Opaque: len bytes in guarded, wiped memory, followed by a NUL. */
struct secret;

/*
 * A copy of p[0..len) (len may be 0).  Out of memory is fatal, like xmalloc.
 * The caller wipes its own copy of p.
 */
struct secret *secret_new(const void *p, size_t len);

/*
 * A random password of len characters (1..SECRET_MAX_LEN) from
 * [A-Za-z0-9] and "-_.+=", with at least one of each of the four classes
 * (MySQL validate_password MEDIUM).  None of these characters needs
 * escaping inside a '...' literal in IDENTIFIED BY or MASTER_PASSWORD,
 * nor in a shell word or URL userinfo.  RR_ERR_USAGE for a bad len.
 */
enum rr_err secret_random_password(struct secret **out, size_t len) SECRET_WUR;

/*
 * The bytes, read-only (writing to them faults), NUL-terminated for APIs
 * that want a C string; valid until secret_free().
 */
const char *secret_data(const struct secret *s);
/* The length in bytes, without the terminating NUL. */
size_t secret_len(const struct secret *s);
/* Constant-time equality of two secrets (lengths may differ). */
int secret_equal(const struct secret *a, const struct secret *b);

/* Wipe and free; s may be NULL. */
void secret_free(struct secret *s);

/* ---- keys ---- */

/* A public key: not secret, safe to copy. */
struct secret_pubkey {
	unsigned char pk[SECRET_PUBKEY_BYTES];
	char id[SECRET_KEYID_CHARS + 1];	/* key id, hex */
};

/* Opaque: a private key and the public key derived from it. */
struct secret_keypair;

/*
 * Write a new key pair into dir (which must exist): SECRET_PRIVATE_KEY_FILE
 * (mode 0600, created with O_EXCL) and SECRET_PUBLIC_KEY_FILE (0644).
 * Refuses (RR_ERR_IO "... already exists") when either file exists, leaving
 * both untouched.  pub, when not NULL, receives the new public key.
 */
enum rr_err secret_keygen(struct secret_pubkey *pub, const char *dir)
    SECRET_WUR;

/*
 * Load a private key file.  path NULL means the file named by the
 * environment variable SECRET_PRIVATE_KEY_ENV (RR_ERR_USAGE when unset), so
 * an explicit path (--private-key, credentials.privateKeyFile) wins over the
 * environment.  Like ssh, refuses (RR_ERR_CRYPTO) a file that is not a
 * regular file owned by the effective user, or whose mode grants anything to
 * group or others: "private key 'PATH' is readable by others (mode 0644);
 * chmod 600 it".  The public half is derived (crypto_scalarmult_base) and
 * checked against the key-id line.
 */
enum rr_err secret_keypair_load_private(struct secret_keypair **out,
    const char *path) SECRET_WUR;

/* The public half of a key pair; valid until secret_keypair_free(). */
const struct secret_pubkey *secret_keypair_public(
    const struct secret_keypair *k);

/* Wipe and free; k may be NULL. */
void secret_keypair_free(struct secret_keypair *k);

/* Load a public key file (as written by secret_keygen()). */
enum rr_err secret_public_key_load(struct secret_pubkey *out,
    const char *path) SECRET_WUR;

/* ---- sealed files ---- */

/* RR_OK when name is a valid sealed name, else RR_ERR_USAGE with detail. */
enum rr_err secret_name_check(const char *name) SECRET_WUR;

/*
 * The text of a sealed file for (name, s) sealed to pub; *out is a
 * NUL-terminated string the caller frees with free().  Holds no plaintext.
 */
enum rr_err secret_seal(char **out, const char *name, const struct secret *s,
    const struct secret_pubkey *pub) SECRET_WUR;

/*
 * Open the sealed-file text (len bytes) with key.  The name sealed inside
 * must equal both the name: header and expected_name ("sealed file 'PATH'
 * holds 'X', not 'Y'"); what (a path) names the text in error details.
 */
enum rr_err secret_unseal(struct secret **out, const char *text, size_t len,
    const char *what, const char *expected_name,
    const struct secret_keypair *key) SECRET_WUR;

/*
 * Seal s under name to pub and write it to path atomically (a temporary
 * file in the same directory, fsync, rename) with the given mode (0644 for
 * a file meant for git, 0600 for the state directory).
 */
enum rr_err secret_seal_to_file(const char *path, const char *name,
    const struct secret *s, const struct secret_pubkey *pub, mode_t mode)
    SECRET_WUR;

/* Read path (RR_ERR_NOT_FOUND when absent) and secret_unseal() it. */
enum rr_err secret_unseal_file(struct secret **out, const char *path,
    const char *expected_name, const struct secret_keypair *key) SECRET_WUR;

/* ---- generated passwords kept sealed in a state directory ---- */

/*
 * The file for (object, purpose) is STATE_DIR/OBJECT.PURPOSE.sealed, mode
 * 0600, sealed under the name "OBJECT/PURPOSE" so that it cannot stand in
 * for another object's or purpose's value.  object is a metadata.name
 * ([A-Za-z0-9._-], not starting with '.'), purpose e.g. "replication"
 * ([a-z0-9-]).  state_dir is created (0700, one level) when missing.
 *
 * The directory must be shared by every run that continues the job (kept
 * with the desired file in git, or on shared storage); a run that cannot
 * see it generates a new password, and the reconciler must then rotate the
 * user's password (see secret_store_rotate()).
 */

/* The path of the store file; the caller frees it. */
char *secret_store_path(const char *state_dir, const char *object,
    const char *purpose);

/*
 * Load the password for (object, purpose), or, when there is none yet,
 * generate a SECRET_REPL_PASSWORD_LEN one, seal it to the key's public half
 * and store it.  Creation never replaces a file another run wrote
 * meanwhile: that run's value is loaded instead.  *created (may be NULL) is
 * 1 when a new password was generated.  A store file that exists but does
 * not open is an error, never silently replaced.
 */
enum rr_err secret_store_load_or_create(struct secret **out, int *created,
    const char *state_dir, const char *object, const char *purpose,
    const struct secret_keypair *key) SECRET_WUR;

/*
 * Generate a new password and store it in place of the old one, when the
 * user is recreated.  The old value is gone once this returns RR_OK.
 */
enum rr_err secret_store_rotate(struct secret **out, const char *state_dir,
    const char *object, const char *purpose,
    const struct secret_keypair *key) SECRET_WUR;

/* Delete the store file; RR_OK when it does not exist. */
enum rr_err secret_store_remove(const char *state_dir, const char *object,
    const char *purpose) SECRET_WUR;

/* ---- input ---- */

/*
 * Read a secret for name from fd: when fd is a terminal, a no-echo prompt
 * on stderr asked twice (RR_ERR_USAGE when they differ, RR_ERR_INTERRUPTED on
 * ^C, the terminal restored either way); otherwise everything up to EOF
 * with one trailing "\n" removed.  An empty secret or one longer than
 * SECRET_MAX_LEN is RR_ERR_USAGE.
 */
enum rr_err secret_read_input(struct secret **out, int fd, const char *name)
    SECRET_WUR;

#endif
