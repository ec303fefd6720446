/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Running nft commands through libnftables with the error as one line:
 * shared by the modules that own a table (edge_filter.c, mss_clamp.c). */
#ifndef L2TPD_NFT_UTIL_H
#define L2TPD_NFT_UTIL_H

#include <stddef.h>

struct nft_ctx;

/* A context with output and errors buffered, or NULL (out of memory). */
struct nft_ctx *nft_util_new(void);
/* Run cmds as one transaction. 0, or -1 with "nftables: ..." in err. */
int nft_util_run(struct nft_ctx *ctx, const char *cmds, char *err, size_t errlen);

#endif
