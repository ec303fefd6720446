/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft commands through libnftables (nft_util.h). */
#include "nft_util.h"

#include <nftables/libnftables.h>
#include <stdio.h>
#include <string.h>

struct nft_ctx *nft_util_new(void)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);

	if (ctx) {
		nft_ctx_buffer_output(ctx);
		nft_ctx_buffer_error(ctx);
	}
	return ctx;
}

int nft_util_run(struct nft_ctx *ctx, const char *cmds, char *err, size_t errlen)
{
	const char *e;
	size_t n;

	if (nft_run_cmd_from_buffer(ctx, cmds) == 0)
		return 0;
	e = nft_ctx_get_error_buffer(ctx);
	snprintf(err, errlen, "nftables: %s", e && *e ? e : "refused");
	for (char *p = err; *p; p++)
		if (*p == '\n')
			*p = ' ';
	n = strlen(err);
	while (n && err[n - 1] == ' ')
		err[--n] = '\0';
	return -1;
}
