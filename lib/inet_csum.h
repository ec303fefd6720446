/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The Internet checksum (RFC 1071): the one's complement of the one's
 * complement sum of 16-bit words, an odd last octet padded with zero.
 * Header only: a sum accumulates over pieces (a pseudo-header, then the
 * message) and is folded once at the end.
 */
#ifndef COMMON_INET_CSUM_H
#define COMMON_INET_CSUM_H

#include <stddef.h>
#include <stdint.h>

/* Add len octets at p to the running sum acc. An odd len pads with zero, so
 * only the last piece may be odd. */
static inline uint32_t inet_csum_add(uint32_t acc, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		acc += (uint32_t)p[i] << 8 | p[i + 1];
		if (acc >= 0x80000000u)
			acc = (acc & 0xffff) + (acc >> 16);	/* no overflow on long input */
	}
	if (len & 1)
		acc += (uint32_t)p[len - 1] << 8;
	return acc;
}

/* The checksum of the sum (host order: store it big-endian). Computed over
 * a message whose checksum field holds the right value, this gives 0. */
static inline uint16_t inet_csum_fold(uint32_t acc)
{
	while (acc >> 16)
		acc = (acc & 0xffff) + (acc >> 16);
	return (uint16_t)~acc;
}

#endif
