// SPDX-License-Identifier: MIT
#include "file_in.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	return "an unknown kind of file";
}

sa_status sa_file_open_regular(const char *path, int *fd, uint64_t *size)
{
	struct stat sb;
	int d, flags;

	d = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (d < 0)
		return sa_fail(SA_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(d, &sb) != 0) {
		int err = errno;

		close(d);
		return sa_fail(SA_ERR_IO, "%s: cannot stat: %s", path, strerror(err));
	}
	if (!S_ISREG(sb.st_mode)) {
		close(d);
		return sa_fail(SA_ERR_IO, "%s: %s, not a regular file", path,
			       file_kind(sb.st_mode));
	}
	/* Regular files never block; reads then behave as usual. */
	flags = fcntl(d, F_GETFL);
	if (flags < 0 || fcntl(d, F_SETFL, flags & ~O_NONBLOCK) != 0) {
		int err = errno;

		close(d);
		return sa_fail(SA_ERR_IO, "%s: cannot set blocking mode: %s", path, strerror(err));
	}
	*fd = d;
	*size = (uint64_t)sb.st_size;
	return SA_OK;
}

sa_status sa_file_fopen_regular(const char *path, FILE **f, uint64_t *size)
{
	int fd;
	sa_status st = sa_file_open_regular(path, &fd, size);

	if (st != SA_OK)
		return st;
	*f = fdopen(fd, "rb");
	if (!*f) {
		int err = errno;

		close(fd);
		return sa_fail(SA_ERR_IO, "%s: cannot open: %s", path, strerror(err));
	}
	return SA_OK;
}
