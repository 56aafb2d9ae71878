// SPDX-License-Identifier: MIT
/*
 * Random numbers and the boundary values the fuzzer feeds to every address
 * and size field: the edges of a page, of the user VA range
 * [SHIFTACCEL_VA_USER_START, SHIFTACCEL_VA_USER_END), of 32 and 64 bits,
 * and their neighbours (the class of bug found by the outsiders' test: an
 * argument at or past the end of the VA space reaching a lookup before a
 * range check).
 */
#include "sa_fuzz.h"

#define END SHIFTACCEL_VA_USER_END
#define START SHIFTACCEL_VA_USER_START

/* xorshift64*: small, fast, reproducible from the printed seed. */
uint64_t fz_rand(struct fz_rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dull;
}

uint64_t fz_below(struct fz_rng *r, uint64_t n)
{
	return n ? fz_rand(r) % n : 0;
}

static const uint64_t edges[] = {
	0,
	1,
	8,
	0xfff,
	0x1000,
	0x1001,
	0x2000,
	START - 0x1000,
	START - 1,
	START,
	START + 0x1000,
	END - 0x2000,
	END - 0x1000,
	END - 1,
	END,
	END + 1,
	END + 0x1000,
	2 * END,
	0xffffffffull,
	0x100000000ull,
	0x100000001ull,
	0x100001000ull,
	1ull << 62,
	(1ull << 63) - 0x1000,
	(1ull << 63) - 1,
	1ull << 63,
	(1ull << 63) + 1,
	(1ull << 63) + 0x1000,
	(uint64_t)-0x2000,
	(uint64_t)-0x1000,
	(uint64_t)-0x1001,
	(uint64_t)-8,
	(uint64_t)-2,
	(uint64_t)-1,
};

static uint64_t edge_once(struct fz_rng *r)
{
	uint64_t v = edges[fz_below(r, sizeof(edges) / sizeof(edges[0]))];

	/* "and near them": a page or a byte either side, now and then. */
	switch (fz_below(r, 8)) {
	case 0: return v + 0x1000 * (1 + fz_below(r, 3));
	case 1: return v - 0x1000 * (1 + fz_below(r, 3));
	case 2: return v + 1;
	case 3: return v - 1;
	default: return v;
	}
}

uint64_t fz_edge(struct fz_proc *p, struct fz_rng *r)
{
	uint64_t v = edge_once(r);

	/* Local runs may leave out the known hang (never in the committed default). */
	while (p->skip_va_end && v >= END - 0x1000)
		v = edge_once(r);
	return v;
}

/* A device VA: an edge, a page inside the range, or one of this file's mappings. */
uint64_t fz_va(struct fz_proc *p, struct fz_rng *r)
{
	uint64_t v = 0;
	bool have = false;

	switch (fz_below(r, 4)) {
	case 0: return fz_edge(p, r);
	case 1: return START + (fz_below(r, (END - START) >> 12) << 12);
	default:
		pthread_mutex_lock(&p->lock);
		if (p->nmaps) {
			const struct fz_map *m = &p->maps[fz_below(r, p->nmaps)];

			v = m->va + (fz_below(r, 2) ? 0 : fz_below(r, m->size + 1));
			have = !p->skip_va_end || v < END - 0x1000;
		}
		pthread_mutex_unlock(&p->lock);
		return have ? v : fz_edge(p, r);
	}
}
