/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Client profiles for the L2TP/IPsec clients built into Windows, macOS/iOS,
 * Linux (NetworkManager-l2tp) and Android, written from what the server
 * runs with (client_ipsec.h). docs/clients.md explains each. Pure: text in
 * a FILE, no lookups; files named in the options are read.
 */
#ifndef L2TPCTL_CLIENT_PROFILES_H
#define L2TPCTL_CLIENT_PROFILES_H

#include <stdbool.h>
#include <stdio.h>

#include "client_ipsec.h"

struct client_profile {
	const char *name;		/* the connection's name on the client */
	const char *server;		/* the address or DNS name the client dials */
	const char *user;		/* PPP user name, or NULL (asked when connecting) */
	bool split_tunnel;		/* only the server's networks through the tunnel */
	bool all_users;			/* Windows: a connection for every user of the PC */
	bool server_behind_nat;		/* Windows: AssumeUDPEncapsulationContextOnSendRule */
	const char *identity_p12;	/* Apple + certificates: the client's PKCS#12 */
	const char *client_ca;		/* NetworkManager + certificates: paths on the client */
	const char *client_cert;
	const char *client_key;
};

/* Each writes one profile to out; -1 with a message in err when the
 * profile cannot be complete (a missing option, an unreadable file). */
int client_profile_windows(FILE *out, const struct client_profile *p,
			   const struct client_ipsec *ipsec, char *err, size_t errlen);
int client_profile_apple(FILE *out, const struct client_profile *p,
			 const struct client_ipsec *ipsec, char *err, size_t errlen);
int client_profile_networkmanager(FILE *out, const struct client_profile *p,
				  const struct client_ipsec *ipsec, char *err, size_t errlen);
int client_profile_android(FILE *out, const struct client_profile *p,
			   const struct client_ipsec *ipsec, char *err, size_t errlen);

/* A name-based UUID (RFC 4122 section 4.3, version 5 layout over SHA-1) of
 * the strings given: the same profile gets the same UUID every time, so a
 * client that installs it again replaces it instead of adding a copy. */
void client_profile_uuid(char out[37], const char *a, const char *b, const char *c);

#endif
