// SPDX-License-Identifier: MIT
/*
 * Packed weight codes <-> "signed k" (uapi/shiftaccel_numerics.h): code i
 * occupies stream bits [i*B, i*B + B), LSB first; code = neg << (B-1) | k.
 * With B <= 5 a code spans at most two bytes, so a 16-bit window suffices.
 */
#include "sa_kernels.h"

int sa_weight_unpack(const uint8_t *packed, size_t count, unsigned bits, int8_t *signed_k)
{
	if (bits < SA_WEIGHT_BITS_MIN || bits > SA_WEIGHT_BITS_MAX)
		return -1;

	const unsigned sign_bit = 1u << (bits - 1);
	const unsigned mask = (1u << bits) - 1;
	const size_t total_bytes = sa_weight_packed_size(count, bits);

	for (size_t i = 0; i < count; i++) {
		size_t bit = i * bits;
		size_t byte = bit / 8;
		unsigned window = packed[byte];

		if (byte + 1 < total_bytes)
			window |= (unsigned)packed[byte + 1] << 8;
		unsigned code = (window >> (bit % 8)) & mask;
		unsigned k = code & (sign_bit - 1);

		if (code & sign_bit) {
			if (k == 0)
				return -1; /* negative zero is not a weight */
			signed_k[i] = (int8_t) - (int)k;
		} else {
			signed_k[i] = (int8_t)k;
		}
	}

	/* Bits past the last code must be zero, so every weight tensor has one encoding. */
	unsigned used = (unsigned)((count * bits) % 8);
	if (used != 0 && (packed[total_bytes - 1] >> used) != 0)
		return -1;
	return 0;
}

void sa_weight_pack(const int8_t *signed_k, size_t count, unsigned bits, uint8_t *packed)
{
	const unsigned sign_bit = 1u << (bits - 1);
	const unsigned kmask = sign_bit - 1;
	const size_t total_bytes = sa_weight_packed_size(count, bits);

	for (size_t i = 0; i < total_bytes; i++)
		packed[i] = 0;
	for (size_t i = 0; i < count; i++) {
		int v = signed_k[i];
		unsigned code = v < 0 ? (sign_bit | ((unsigned)-v & kmask)) : ((unsigned)v & kmask);
		size_t bit = i * bits;
		size_t byte = bit / 8;
		unsigned window = code << (bit % 8);

		packed[byte] |= (uint8_t)window;
		if (window >> 8)
			packed[byte + 1] |= (uint8_t)(window >> 8);
	}
}
