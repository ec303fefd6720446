/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The l2tp-ipsec-concentrator authors
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License as published by the
 * Free Software Foundation; either version 2 of the License, or (at your
 * option) any later version.
 */

/**
 * @defgroup l2tp_ipsec_msg l2tp_ipsec_msg
 * @{ @ingroup l2tp
 *
 * The messages between the charon plugin and l2tpd (docs/ipsec.md).
 *
 * One message per SOCK_SEQPACKET packet, all integers in network order:
 *
 *     0        1        2                 4
 *     +--------+--------+--------+--------+
 *     |version |  type  |     length      |   length: the whole message
 *     +--------+--------+--------+--------+
 *     | attr type (16)  | value len (16)  |   then attributes, each
 *     +-----------------+-----------------+   4 octets + value
 *     | value ...                         |
 *
 * Unknown attributes are skipped (a newer plugin may add some within the
 * same version); an unknown message type, a length that disagrees with the
 * packet, an attribute past the end, a duplicate attribute or a value of the
 * wrong size rejects the message. Strings are UTF-8 without NUL or control
 * characters, at most L2TP_IPSEC_STR_MAX octets, not NUL-terminated.
 *
 * This file and l2tp_ipsec_msg.c are plain C11 without strongSwan types:
 * the plugin (built against the strongSwan source) and l2tpd (built without
 * it) share them.
 */

#ifndef L2TP_IPSEC_MSG_H_
#define L2TP_IPSEC_MSG_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Protocol version in every header; bumped on incompatible changes. */
#define L2TP_IPSEC_VERSION 1
#define L2TP_IPSEC_HDR_LEN 4
#define L2TP_IPSEC_ATTR_HDR_LEN 4
/** Largest message either side sends or accepts. */
#define L2TP_IPSEC_MSG_MAX 4096
/** Longest string value (identities, DNs, names). */
#define L2TP_IPSEC_STR_MAX 1000

enum l2tp_ipsec_type {
	/* plugin -> l2tpd */
	L2TP_IPSEC_HELLO = 1,		/* first message of a connection */
	L2TP_IPSEC_IKE_UP = 2,
	L2TP_IPSEC_IKE_DOWN = 3,
	L2TP_IPSEC_CHILD_UP = 4,	/* transport-mode CHILD_SA carrying UDP/1701 */
	L2TP_IPSEC_CHILD_DOWN = 5,
	L2TP_IPSEC_REPLAY_END = 6,	/* every current SA has been sent */
	/* l2tpd -> plugin */
	L2TP_IPSEC_DELETE_IKE_SA = 16,
};

enum l2tp_ipsec_attr {
	L2TP_IPSEC_A_SOFTWARE = 1,	/* string: who sends (HELLO) */
	L2TP_IPSEC_A_IKE_ID = 2,	/* u32: IKE_SA unique id */
	L2TP_IPSEC_A_CHILD_ID = 3,	/* u32: CHILD_SA unique id */
	L2TP_IPSEC_A_PEER_ADDR = 4,	/* 4 or 16 octets */
	L2TP_IPSEC_A_PEER_PORT = 5,	/* u16: IKE port (4500 or NAT's port with NAT-T) */
	L2TP_IPSEC_A_LOCAL_ADDR = 6,	/* 4 or 16 octets */
	L2TP_IPSEC_A_LOCAL_PORT = 7,	/* u16 */
	L2TP_IPSEC_A_IKE_VERSION = 8,	/* u8: 1 or 2 */
	L2TP_IPSEC_A_LOCAL_ID = 9,	/* string: our IKE identity */
	L2TP_IPSEC_A_REMOTE_ID = 10,	/* string: the peer's IKE identity */
	L2TP_IPSEC_A_CERT_SUBJECT = 11,	/* string: peer certificate subject DN */
	L2TP_IPSEC_A_CERT_ISSUER = 12,	/* string: its issuer DN */
	L2TP_IPSEC_A_MARK_IN = 13,	/* u32: the CHILD_SA's inbound mark */
	L2TP_IPSEC_A_MARK_OUT = 14,	/* u32: its outbound mark */
	L2TP_IPSEC_A_ENCAP = 15,	/* u8: 1 = ESP in UDP (NAT-T) */
	L2TP_IPSEC_A_NAME = 16,		/* string: connection name in swanctl.conf */
	L2TP_IPSEC_A_OLD_IKE_ID = 17,	/* u32: IKE_UP of a rekeyed IKE_SA */
	L2TP_IPSEC_A_MAX
};

/** Why a message was rejected; l2tpd counts each. */
enum l2tp_ipsec_reason {
	L2TP_IPSEC_OK = 0,
	L2TP_IPSEC_R_TRUNCATED_HEADER,
	L2TP_IPSEC_R_BAD_VERSION,
	L2TP_IPSEC_R_BAD_LENGTH,	/* header length != packet length */
	L2TP_IPSEC_R_TOO_LONG,		/* over L2TP_IPSEC_MSG_MAX */
	L2TP_IPSEC_R_UNKNOWN_TYPE,
	L2TP_IPSEC_R_ATTR_TRUNCATED,	/* attribute header or value past the end */
	L2TP_IPSEC_R_ATTR_BAD_SIZE,	/* known attribute, value of the wrong size */
	L2TP_IPSEC_R_ATTR_DUPLICATE,
	L2TP_IPSEC_R_BAD_STRING,	/* NUL/control character, or too long */
	L2TP_IPSEC_R_BAD_VALUE,		/* e.g. encap not 0/1, IKE version not 1/2 */
	L2TP_IPSEC_R_MISSING_ATTR,	/* the type requires an attribute that is absent */
	L2TP_IPSEC_R_WRONG_DIRECTION,	/* a valid type, but one this side only sends */
	L2TP_IPSEC_R_MAX
};

const char *l2tp_ipsec_reason_name(enum l2tp_ipsec_reason r);
const char *l2tp_ipsec_type_name(unsigned type);

struct l2tp_ipsec_addr {
	uint8_t family;			/* 4 or 6; 0 = absent */
	uint8_t addr[16];		/* IPv4 in the first 4 octets */
};

/** A string attribute: points into the parsed buffer, not NUL-terminated. */
struct l2tp_ipsec_str {
	const char *p;
	uint16_t len;
};

struct l2tp_ipsec_msg {
	uint8_t version;
	uint8_t type;
	uint32_t present;		/* bit (1 << attr) per attribute seen */
	uint32_t unknown_attrs;		/* skipped attributes of unknown type */
	uint32_t ike_id, child_id, old_ike_id;
	struct l2tp_ipsec_addr peer, local;
	uint16_t peer_port, local_port;
	uint8_t ike_version;
	uint8_t encap;
	uint32_t mark_in, mark_out;
	struct l2tp_ipsec_str software, local_id, remote_id, cert_subject, cert_issuer, name;
};

static inline bool l2tp_ipsec_has(const struct l2tp_ipsec_msg *m, enum l2tp_ipsec_attr a)
{
	return (m->present >> a) & 1u;
}

/**
 * Parse one message of exactly len octets. The strings of *msg point into
 * buf. Returns L2TP_IPSEC_OK or the reason for refusing it.
 */
enum l2tp_ipsec_reason l2tp_ipsec_parse(const uint8_t *buf, size_t len,
										struct l2tp_ipsec_msg *msg);

/**
 * What the plugin accepts from l2tpd: one message of exactly len octets
 * that is a request (l2tpd -> plugin), with an IKE_SA unique id charon can
 * have given (charon counts from 1). Anything else, including a well-formed
 * report that only the plugin sends, is refused with its reason: a confused
 * or compromised peer on the socket must not make charon act.
 */
enum l2tp_ipsec_reason l2tp_ipsec_parse_request(const uint8_t *buf, size_t len,
												struct l2tp_ipsec_msg *msg);

/** Builds one message; errors stick and make l2tp_ipsec_end() return 0. */
struct l2tp_ipsec_writer {
	uint8_t *buf;
	size_t cap, len;
	bool error;
};

void l2tp_ipsec_begin(struct l2tp_ipsec_writer *w, uint8_t *buf, size_t cap,
					  enum l2tp_ipsec_type type);
void l2tp_ipsec_put_u8(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a, uint8_t v);
void l2tp_ipsec_put_u16(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a, uint16_t v);
void l2tp_ipsec_put_u32(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a, uint32_t v);
/** family 4 or 6; addr holds 4 or 16 octets. */
void l2tp_ipsec_put_addr(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a,
						 int family, const void *addr);
/** A NUL-terminated string: cut at L2TP_IPSEC_STR_MAX octets (at a UTF-8
 * character boundary), control characters replaced by '?'; NULL or "" puts
 * nothing. */
void l2tp_ipsec_put_str(struct l2tp_ipsec_writer *w, enum l2tp_ipsec_attr a, const char *s);
/** Fill in the length; the message size, or 0 if it did not fit. */
size_t l2tp_ipsec_end(struct l2tp_ipsec_writer *w);

#endif /** L2TP_IPSEC_MSG_H_ @}*/
