/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What a client needs to know about the server's IPsec, read from the
 * swanctl.conf that charon runs with (docs/clients.md): which L2TP
 * connection, pre-shared key or certificates, and for certificates the
 * name the client must dial and the CA that issued the server's
 * certificate. l2tpctl client-config builds profiles from this.
 */
#ifndef L2TPCTL_CLIENT_IPSEC_H
#define L2TPCTL_CLIENT_IPSEC_H

#include <limits.h>
#include <stddef.h>

enum client_ipsec_auth { CLIENT_IPSEC_PSK, CLIENT_IPSEC_CERT };

struct client_ipsec {
	char connection[128];		/* its name in swanctl.conf */
	enum client_ipsec_auth auth;
	char psk[256];			/* PSK: the key as the client types it */
	char server_id[256];		/* cert: local.id, the name clients dial ("" if none) */
	char ca_file[PATH_MAX];		/* cert: remote.cacerts[0], resolved ("" if none) */
};

/*
 * Find the L2TP/IPsec connection in a swanctl.conf (includes followed): an
 * IKEv1 connection (version = 1, or unset) with a transport-mode child
 * whose local_ts names udp/1701. `connection` picks one by name; `auth`
 * ("psk" or "cert", or NULL) picks by kind. With neither, exactly one must
 * exist. For a PSK the IKE secret is taken from secrets { ike-* } (0x hex
 * and 0s base64 decoded). 0 on success, -1 with a message in err.
 */
int client_ipsec_find(const char *swanctl_path, const char *connection, const char *auth,
		      struct client_ipsec *out, char *err, size_t errlen);

#endif
