/* SPDX-License-Identifier: MIT */
/*
 * Four-float vectors (GCC/clang vector extensions) for elementwise passes
 * that run in place: the compiler does not vectorise a loop whose output
 * may alias its input, but element i only ever depends on element i, so
 * explicit vectors are exact.  Sixteen bytes: the width every x86-64 CPU
 * has (wider vectors would change the calling convention without AVX).
 */
#ifndef TR_VEC_H
#define TR_VEC_H

#include <stdint.h>
#include <string.h>

typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));

static inline v4f v4f_load(const float *p)
{
	v4f v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static inline void v4f_store(float *p, v4f v)
{
	memcpy(p, &v, sizeof(v));
}

static inline v4f v4f_set(float x)
{
	return (v4f){x, x, x, x};
}

/* mask ? a : 0, with mask lanes all ones or all zeros */
static inline v4f v4f_and(v4f a, v4i mask)
{
	return (v4f)((v4i)a & mask);
}

/* mask ? a : b */
static inline v4f v4f_select(v4i mask, v4f a, v4f b)
{
	return (v4f)(((v4i)a & mask) | ((v4i)b & ~mask));
}

static inline v4f v4f_max(v4f a, v4f b)
{
	return v4f_select(a > b, a, b);
}

static inline v4f v4f_min(v4f a, v4f b)
{
	return v4f_select(a < b, a, b);
}

#endif /* TR_VEC_H */
