/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the test client builds and parses by hand inside PPP: ICMP echo
 * requests over IPv4 (to prove IP works end to end without a TUN device),
 * the echo replies coming back, and the text of an MS-CHAPv2 Failure
 * packet (ppp-core reports the E= code; the M= text is for the report).
 *
 * Pure functions, no I/O. Every parser reads through the bounds-checked
 * cursor of lib/wire.h and says why it rejected a frame.
 */
#ifndef L2TP_CLIENT_FRAMES_H
#define L2TP_CLIENT_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ICMP_ECHO_PAYLOAD 32
#define IPV4_HDR_LEN 20
#define ICMP_HDR_LEN 8
/* IPv4 + ICMP header + payload */
#define ICMP_ECHO_PACKET_LEN (IPV4_HDR_LEN + ICMP_HDR_LEN + ICMP_ECHO_PAYLOAD)

/* RFC 1071 Internet checksum over len bytes (one's complement of the
 * one's complement sum), in host order. */
uint16_t inet_checksum(const uint8_t *p, size_t len);

/*
 * Build an IPv4 packet (RFC 791) carrying an ICMP Echo Request (RFC 792)
 * from src to dst (host byte order) with this identifier and sequence
 * number. Writes ICMP_ECHO_PACKET_LEN bytes; returns that, or 0 when cap is
 * too small.
 */
size_t icmp_echo_build(uint8_t *buf, size_t cap, uint32_t src, uint32_t dst,
		       uint16_t ip_id, uint16_t ident, uint16_t seq);

/* Why an IP packet is not an echo reply for us. */
enum echo_reject {
	ECHO_OK = 0,
	ECHO_R_TRUNCATED,	/* shorter than the IPv4 header or Total Length */
	ECHO_R_NOT_IPV4,	/* version != 4 */
	ECHO_R_BAD_IHL,		/* header length < 20 or past the packet */
	ECHO_R_BAD_TOTAL_LENGTH,/* Total Length < header or > packet */
	ECHO_R_BAD_IP_CHECKSUM,
	ECHO_R_FRAGMENT,	/* MF set or offset != 0: we never fragment */
	ECHO_R_NOT_ICMP,
	ECHO_R_ICMP_TRUNCATED,
	ECHO_R_BAD_ICMP_CHECKSUM,
	ECHO_R_NOT_ECHO_REPLY,	/* another ICMP type or code */
	ECHO_R_MAX
};

const char *echo_reject_name(enum echo_reject r);

struct echo_reply {
	uint32_t src, dst;	/* host order */
	uint16_t ident, seq;
	uint8_t ttl;
};

/* Parse an IPv4 packet as an ICMP Echo Reply (RFC 792, type 0 code 0). */
enum echo_reject icmp_echo_reply_parse(const uint8_t *pkt, size_t len,
				       struct echo_reply *out);
/* The same for an Echo Request (type 8): what the stub LNS answers. */
enum echo_reject icmp_echo_request_parse(const uint8_t *pkt, size_t len,
					 struct echo_reply *out);

/*
 * Answer an Echo Request as a host does (RFC 792): the same identifier,
 * sequence and data, addresses swapped, type 0, fresh checksums, no IP
 * options. Returns the reply's length, 0 if req is not a valid Echo
 * Request or does not fit in cap.
 */
size_t icmp_echo_answer(const uint8_t *req, size_t len, uint8_t *out, size_t cap);

/*
 * Peel the PPP framing of a frame as received from the L2TP data path:
 * optional FF 03 (RFC 1662 3.1, may be omitted after ACFC) and a one- or
 * two-octet Protocol (RFC 1661 2: odd first octet = compressed by PFC).
 * Returns false when the frame is too short; *off points at the payload.
 */
bool ppp_frame_peel(const uint8_t *frame, size_t len, uint16_t *protocol, size_t *off);

/* An MS-CHAPv2 Failure packet (RFC 2759 6): "E=eeeeeeeeee R=r C=... V=v M=text". */
struct mschap_failure {
	bool has_code;
	unsigned code;		/* E= */
	bool has_retry;
	unsigned retry;		/* R= */
	char message[96];	/* M=, printable ASCII only, truncated */
};

enum chap_failure_reject {
	CHAP_F_OK = 0,
	CHAP_F_NOT_CHAP,	/* not protocol C223 */
	CHAP_F_NOT_FAILURE,	/* CHAP code other than 4 */
	CHAP_F_TRUNCATED,	/* CHAP header cut short */
	CHAP_F_BAD_LENGTH,	/* Length < 4 or past the frame */
	CHAP_F_MAX
};

const char *chap_failure_reject_name(enum chap_failure_reject r);

/* If this PPP frame (as received: FF 03 optional) is a CHAP Failure,
 * parse its message. Unknown or malformed fields inside the text are left
 * unset, never fatal: the text is informational. */
enum chap_failure_reject chap_failure_parse(const uint8_t *frame, size_t len,
					    struct mschap_failure *out);

#endif
