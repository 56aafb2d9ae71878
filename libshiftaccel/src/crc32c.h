/* SPDX-License-Identifier: MIT */
/*
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), the checksum of .dsm
 * files.  Chosen over CRC-32 (zlib) because it has better error detection at
 * these sizes and hardware support on x86 (SSE4.2) and ARMv8 if ever needed.
 */
#ifndef SA_CRC32C_H
#define SA_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/*
 * Continues a CRC over `len` more bytes.  Start with crc = 0; the result of
 * one call is the crc argument of the next, so a buffer can be fed in pieces:
 * sa_crc32c(sa_crc32c(0, "1234", 4), "56789", 5) == sa_crc32c(0, "123456789", 9)
 * == 0xe3069283 (the standard check value).
 */
uint32_t sa_crc32c(uint32_t crc, const void *data, size_t len);

#endif /* SA_CRC32C_H */
