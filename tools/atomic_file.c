// SPDX-License-Identifier: MIT
/* Atomic output files (atomic_file.h): temporary file, fsync, rename, fsync of the directory. */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory part of path ("." for a bare name); 0 or -1 (too long). */
static int dir_of(const char *path, char *dir, size_t size)
{
	char copy[PATH_MAX];

	if (strlen(path) >= sizeof(copy)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(copy, path);
	if ((size_t)snprintf(dir, size, "%s", dirname(copy)) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int atomic_file_check_dir(const char *path)
{
	char dir[PATH_MAX];
	struct stat st;

	if (dir_of(path, dir, sizeof(dir)) || stat(dir, &st))
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return access(dir, W_OK | X_OK);
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int atomic_file_write(const char *path, const void *data, size_t size)
{
	char tmp[PATH_MAX], dir[PATH_MAX];
	int fd, err, dfd;

	if (dir_of(path, dir, sizeof(dir)))
		return -1;
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp-XXXXXX", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	/* mkstemp makes the file 0600; a model is for everyone to read, as cp would make it. */
	mode_t mask = umask(0);

	umask(mask);
	if (fchmod(fd, 0644 & ~mask) || write_all(fd, data, size) || fsync(fd)) {
		err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		return -1;
	}
	if (close(fd) || rename(tmp, path)) {
		err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	/* The rename itself reaches the disk with the directory. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}
