/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * CRC-32 as IEEE 802.3, zlib, PNG and gzip compute it (reflected polynomial
 * 0xEDB88320, initial value and final XOR 0xFFFFFFFF; check value of
 * "123456789": 0xCBF43926). Table-driven, one lookup per octet: it runs on
 * the event loop (the accounting spool's entries are encoded there), where
 * the bit-by-bit form cost eight shifts and masks per octet. Not a defence
 * against forgery: it finds damage (a torn write, a bad sector), nothing
 * else.
 */
#ifndef COMMON_CRC32_H
#define COMMON_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* The CRC of buf. To go on over more data, pass the previous result as
 * crc (start with 0): crc32_update(crc32_update(0, a, n), b, m) is the
 * CRC of a then b. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);

static inline uint32_t crc32_ieee(const void *buf, size_t len)
{
	return crc32_update(0, buf, len);
}

#endif
