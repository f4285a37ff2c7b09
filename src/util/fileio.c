/*
 * fileio.c - whole-file reads with a cap, and atomic writes (fileio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "fileio.h"
#include "xmalloc.h"

enum rr_err
file_read(struct buf *b, const char *path, size_t max, const char *kind)
{
	struct stat st;
	char chunk[4096];
	enum rr_err rc;
	ssize_t r;
	int fd;

	buf_init(b, max);
	/* O_NONBLOCK: a FIFO in place of the file must not hang us; it is
	 * refused below and regular files ignore the flag. */
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) ==
	    -1) {
		if (errno == ENOENT)
			return rr_seterr(RR_ERR_NOT_FOUND, "%s '%s' does not "
			    "exist", kind, path);
		return rr_seterr(RR_ERR_IO, "cannot open %s '%s': %s", kind,
		    path, strerror(errno));
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		rc = rr_seterr(RR_ERR_IO, "%s '%s' is not a regular file",
		    kind, path);
		goto out;
	}
	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			rc = rr_seterr(RR_ERR_IO, "cannot read %s '%s': %s",
			    kind, path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		if (buf_append(b, chunk, (size_t)r) != RR_OK) {
			rc = rr_seterr(RR_ERR_PARSE, "%s '%s' is larger than "
			    "%zu bytes", kind, path, max);
			goto out;
		}
	}
	rc = RR_OK;
out:
	if (rc != RR_OK)
		buf_release(b);
	close(fd);
	return rc;
}

static enum rr_err
write_all(int fd, const void *p, size_t len, const char *path)
{
	const char *c = p;
	ssize_t r;

	while (len > 0) {
		r = write(fd, c, len);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return rr_seterr(RR_ERR_IO, "cannot write '%s': %s", path,
			    strerror(errno));
		c += r;
		len -= (size_t)r;
	}
	return RR_OK;
}

/* Move tmp to path unless path exists; *existed = 1 when it did. */
static int
rename_noreplace(const char *tmp, const char *path, int *existed)
{
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST) {
		*existed = 1;
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* No RENAME_NOREPLACE on this file system: link() never replaces. */
	if (link(tmp, path) == -1) {
		if (errno != EEXIST)
			return -1;
		*existed = 1;
	}
	unlink(tmp);
	return 0;
}

enum rr_err
file_write_atomic(const char *path, const void *p, size_t len, mode_t mode,
    int noreplace, int *existed)
{
	char *dcopy = NULL, *bcopy = NULL, *tmp = NULL;
	const char *dir;
	enum rr_err rc;
	int fd = -1, dfd, ex = 0;

	dcopy = xstrdup(path);
	bcopy = xstrdup(path);
	dir = dirname(dcopy);
	tmp = xasprintf("%s/.%s.tmp.XXXXXX", dir, basename(bcopy));
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		rc = rr_seterr(RR_ERR_IO, "cannot create a temporary file in "
		    "'%s': %s", dir, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto out;
	}
	/* fchmod is not masked by the umask: the mode is what we promise. */
	if (fchmod(fd, mode) == -1) {
		rc = rr_seterr(RR_ERR_IO, "cannot chmod '%s': %s", tmp,
		    strerror(errno));
		goto out;
	}
	if ((rc = write_all(fd, p, len, tmp)) != RR_OK)
		goto out;
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		rc = rr_seterr(RR_ERR_IO, "cannot write '%s': %s", tmp,
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (noreplace ? rename_noreplace(tmp, path, &ex) == -1 :
	    rename(tmp, path) == -1) {
		rc = rr_seterr(RR_ERR_IO, "cannot rename '%s' to '%s': %s", tmp,
		    path, strerror(errno));
		goto out;
	}
	if (!ex) {
		free(tmp);	/* renamed: nothing to clean up */
		tmp = NULL;
	}
	/* The rename itself must survive a crash. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(dfd);
		close(dfd);
	}
	if (existed != NULL)
		*existed = ex;
	rc = RR_OK;
out:
	if (fd != -1)
		close(fd);
	if (tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(dcopy);
	free(bcopy);
	return rc;
}
