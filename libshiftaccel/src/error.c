// SPDX-License-Identifier: MIT
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char last_error[512];

sa_status sa_fail(sa_status status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return status;
}

void sa_clear_error(void)
{
	last_error[0] = '\0';
}

const char *sa_last_error(void)
{
	return last_error;
}

const char *sa_status_name(sa_status status)
{
	switch (status) {
	case SA_OK: return "SA_OK";
	case SA_ERR_INVALID_ARGUMENT: return "SA_ERR_INVALID_ARGUMENT";
	case SA_ERR_NO_MEMORY: return "SA_ERR_NO_MEMORY";
	case SA_ERR_IO: return "SA_ERR_IO";
	case SA_ERR_BAD_MODEL: return "SA_ERR_BAD_MODEL";
	case SA_ERR_VERSION: return "SA_ERR_VERSION";
	case SA_ERR_CHECKSUM: return "SA_ERR_CHECKSUM";
	case SA_ERR_BAD_IMAGE: return "SA_ERR_BAD_IMAGE";
	case SA_ERR_SHAPE: return "SA_ERR_SHAPE";
	case SA_ERR_NO_DEVICE: return "SA_ERR_NO_DEVICE";
	case SA_ERR_DEVICE: return "SA_ERR_DEVICE";
	case SA_ERR_UNSUPPORTED: return "SA_ERR_UNSUPPORTED";
	case SA_ERR_BAD_DATA: return "SA_ERR_BAD_DATA";
	}
	return "SA_ERR_UNKNOWN";
}
