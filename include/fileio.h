/*
 * fileio.h - whole files: a capped read and an atomic write.
 *
 * Used for key and sealed files (src/secret), the last-action record
 * (lastrun.h) and the metrics file (metrics.h).  Nothing here knows what
 * the bytes are; callers keep secrets out (key.c reads the private key
 * into secret memory itself).
 */
#ifndef RR_FILEIO_H
#define RR_FILEIO_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct buf;

/*
 * Read a whole regular file of at most max bytes into b (buf_init'ed here,
 * released on error).  RR_ERR_NOT_FOUND when it does not exist,
 * RR_ERR_PARSE when it is larger than max, RR_ERR_IO otherwise (a FIFO or
 * directory included); kind ("sealed file") words the errors.
 */
enum rr_err file_read(struct buf *b, const char *path, size_t max,
    const char *kind);

/*
 * Write p[0..len) to path through a temporary file in the same directory,
 * with mode (not masked by the umask), fsync'ed, then renamed over path and
 * the directory fsync'ed: readers see the old file or the new one, never a
 * part.  noreplace: never replace an existing path; then *existed is set
 * to 1 (and RR_OK returned) when path was already there.  RR_ERR_IO with
 * the path and errno; on error path is left as it was.
 */
enum rr_err file_write_atomic(const char *path, const void *p, size_t len,
    mode_t mode, int noreplace, int *existed);

#endif
