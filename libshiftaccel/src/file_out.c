// SPDX-License-Identifier: MIT
/*
 * Output files written whole or not at all (sa_output in shiftaccel.h).
 *
 * The temporary file lives in the destination's directory so rename() is
 * atomic (same filesystem).  Data is fsynced before the rename and the
 * directory after it, so after a crash the name holds the old or the new
 * bytes, never a mix.  A killed writer leaves only a ".NAME.tmp-XXXXXX"
 * file next to the old one, which the next run does not read.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"

struct sa_output {
	FILE *f;
	char *path, *tmp, *dir;
};

/* The directory part of `path` ("." for a bare name), malloc()ed. */
static char *dir_of(const char *path)
{
	char *copy = strdup(path), *d;

	if (!copy)
		return NULL;
	d = strdup(dirname(copy));
	free(copy);
	return d;
}

sa_status sa_output_check_path(const char *path)
{
	struct stat sb;
	char *dir;
	sa_status st = SA_OK;

	if (!path || !*path)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "output path is empty");
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return sa_fail(SA_ERR_IO, "%s: is a directory, not a file name", path);
	dir = dir_of(path);
	if (!dir)
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	if (stat(dir, &sb) != 0)
		st = sa_fail(SA_ERR_IO, "%s: directory %s does not exist", path, dir);
	else if (!S_ISDIR(sb.st_mode))
		st = sa_fail(SA_ERR_IO, "%s: %s is not a directory", path, dir);
	else if (access(dir, W_OK | X_OK) != 0)
		st = sa_fail(SA_ERR_IO, "%s: cannot write in directory %s: %s", path, dir,
			     strerror(errno));
	free(dir);
	return st;
}

void sa_output_abort(sa_output *o)
{
	if (!o)
		return;
	if (o->f)
		fclose(o->f);
	if (o->tmp)
		unlink(o->tmp);
	free(o->path);
	free(o->tmp);
	free(o->dir);
	free(o);
}

sa_status sa_output_open(const char *path, sa_output **out)
{
	sa_output *o;
	char *copy;
	mode_t mask;
	int fd;
	sa_status st = sa_output_check_path(path);

	if (st != SA_OK)
		return st;
	o = calloc(1, sizeof(*o));
	copy = strdup(path);
	if (!o || !copy || !(o->path = strdup(path)) || !(o->dir = dir_of(path))) {
		free(copy);
		sa_output_abort(o);
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	}
	size_t n = strlen(o->dir) + strlen(copy) + 32;

	o->tmp = malloc(n);
	if (!o->tmp) {
		free(copy);
		sa_output_abort(o);
		return sa_fail(SA_ERR_NO_MEMORY, "out of memory");
	}
	snprintf(o->tmp, n, "%s/.%s.tmp-XXXXXX", o->dir, basename(copy));
	free(copy);
	fd = mkostemp(o->tmp, O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		free(o->tmp);
		o->tmp = NULL;
		sa_output_abort(o);
		return sa_fail(SA_ERR_IO, "%s: cannot create a file in its directory: %s", path,
			       strerror(err));
	}
	/* mkostemp makes 0600; a finished output gets the usual 0666 & ~umask. */
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || !(o->f = fdopen(fd, "wb"))) {
		int err = errno;

		close(fd);
		sa_output_abort(o);
		return sa_fail(SA_ERR_IO, "%s: %s", path, strerror(err));
	}
	*out = o;
	return SA_OK;
}

FILE *sa_output_stream(sa_output *o)
{
	return o ? o->f : NULL;
}

sa_status sa_output_commit(sa_output *o)
{
	int err = 0, dfd;

	if (!o)
		return sa_fail(SA_ERR_INVALID_ARGUMENT, "sa_output_commit: NULL output");
	if (fflush(o->f) != 0 || ferror(o->f))
		err = errno ? errno : EIO;
	else if (fsync(fileno(o->f)) != 0)
		err = errno;
	if (fclose(o->f) != 0 && !err)
		err = errno;
	o->f = NULL;
	if (!err && rename(o->tmp, o->path) != 0)
		err = errno;
	if (err) {
		sa_status st = sa_fail(SA_ERR_IO,
				       "%s: cannot write: %s (the previous file, if "
				       "any, is unchanged)",
				       o->path, strerror(err));

		sa_output_abort(o);
		return st;
	}
	/* The rename is durable once the directory is on disk too. */
	dfd = open(o->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	free(o->tmp);
	o->tmp = NULL;
	sa_output_abort(o);
	return SA_OK;
}

sa_status sa_output_write_file(const char *path, const void *data, size_t size)
{
	sa_output *o;
	sa_status st = sa_output_open(path, &o);

	if (st != SA_OK)
		return st;
	if (size && fwrite(data, 1, size, o->f) != size) {
		st = sa_fail(SA_ERR_IO,
			     "%s: cannot write: %s (the previous file, if any, is "
			     "unchanged)",
			     path, strerror(errno ? errno : EIO));
		sa_output_abort(o);
		return st;
	}
	return sa_output_commit(o);
}
