/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PEAPv0 framing, parsed and built without TLS (so it is unit-tested and
 * fuzzed on its own; peap.c runs the TLS). Everything here reads bytes a
 * server sent: every length is checked against the bytes there are.
 *
 *  - the outer EAP-PEAP Type-Data: Flags (L, M, S, version), the TLS
 *    Message Length, a fragment (draft-kamath-pppext-peapv0 3.1, which
 *    takes EAP-TLS's framing: RFC 5216 3.1, 3.2);
 *  - the tunnelled EAP of PEAPv0: Type and Type-Data without the EAP
 *    header ([MS-PEAP] 3.1.5.6, "compressed"), except a full header on
 *    the Extensions packet (type 33) and, from FreeRADIUS, on the
 *    Identity Request;
 *  - EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2 2);
 *  - the TLVs of an Extensions Request and its Result TLV ([MS-PEAP]
 *    2.2.8.1, RFC 3748's "TLV" draft as PEAPv0 uses it).
 */
#ifndef L2TP_CLIENT_PEAP_FRAME_H
#define L2TP_CLIENT_PEAP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EAP_TYPE_PEAP		25
#define EAP_TYPE_MSCHAPV2	26
#define EAP_TYPE_EXTENSIONS	33	/* [MS-PEAP] 2.2.8 "EAP-TLV" */

/* PEAP/EAP-TLS Flags octet (RFC 5216 3.1; PEAP's version in the low 3). */
#define PEAP_FLAG_L		0x80	/* TLS Message Length included */
#define PEAP_FLAG_M		0x40	/* more fragments */
#define PEAP_FLAG_S		0x20	/* Start */
#define PEAP_VERSION_MASK	0x07

/* A TLS message longer than this is refused: 64 KiB is what servers send
 * at most (wpa_supplicant has the same bound); it stops a peer making us
 * buffer without end. */
#define PEAP_MAX_MESSAGE	65536

enum peap_frame_err {
	PEAP_F_OK = 0,
	PEAP_F_EMPTY,		/* no Flags octet */
	PEAP_F_TRUNCATED,	/* L set, fewer than 4 octets of length */
	PEAP_F_TOO_LONG,	/* TLS Message Length over PEAP_MAX_MESSAGE */
	PEAP_F_OVERRUN,		/* fragments past the announced length */
	PEAP_F_SHORT,		/* last fragment before the announced length */
	PEAP_F_LENGTH_CHANGED,	/* a later L disagrees with the first */
	PEAP_F_NERR
};

const char *peap_frame_err_name(enum peap_frame_err e);

/* One received PEAP Type-Data, split. */
struct peap_frag {
	uint8_t flags;
	uint8_t version;
	bool has_length;
	uint32_t tls_length;	/* when has_length */
	const uint8_t *data;	/* TLS bytes of this fragment */
	size_t len;
};

enum peap_frame_err peap_frag_parse(const uint8_t *p, size_t n, struct peap_frag *f);

/* Reassembly bookkeeping of one TLS message across fragments (the bytes
 * themselves go to TLS as they come: only the counts are kept). */
struct peap_reasm {
	uint32_t total;		/* announced (L), 0: none announced */
	uint32_t got;
};

/* Account a parsed fragment; a message ends when M is clear (then the
 * counters reset for the next one). *done tells that it ended. */
enum peap_frame_err peap_reasm_add(struct peap_reasm *r, const struct peap_frag *f,
				   bool *done);

/*
 * Our next outgoing fragment of `total` TLS octets, `off` already sent,
 * into out[0, cap): Flags (+ L length on the first of several) + bytes.
 * Returns the octets written (>= 1) and advances *off, or -1 when cap
 * cannot hold a header and one octet of data.
 */
int peap_frag_build(const uint8_t *msg, size_t total, size_t *off,
		    uint8_t *out, size_t cap);

/* A tunnelled EAP packet, the header made explicit. */
struct peap_inner {
	uint8_t code;		/* 1 Request (compressed form: always) */
	uint8_t id;		/* compressed form: the outer Identifier */
	uint8_t type;
	bool full_header;	/* it came with its EAP header */
	const uint8_t *data;	/* Type-Data */
	size_t len;
};

enum peap_inner_err {
	PEAP_I_OK = 0,
	PEAP_I_EMPTY,
	PEAP_I_BAD_LENGTH,	/* a full header's Length past the data or < 5 */
	PEAP_I_NOT_REQUEST,	/* a full header with another code */
};

enum peap_inner_err peap_inner_parse(const uint8_t *p, size_t n, uint8_t outer_id,
				     struct peap_inner *in);

/* EAP-MSCHAPv2 (draft-kamath-pppext-eap-mschapv2 2), Type-Data onward. */
enum { MSCHAPV2_OP_CHALLENGE = 1, MSCHAPV2_OP_RESPONSE = 2,
       MSCHAPV2_OP_SUCCESS = 3, MSCHAPV2_OP_FAILURE = 4 };

struct peap_mschapv2 {
	uint8_t opcode;
	uint8_t ms_id;
	const uint8_t *challenge;	/* Challenge: 16 octets */
	const uint8_t *name;		/* Challenge: server name */
	size_t name_len;
	const uint8_t *message;		/* Success / Failure text */
	size_t message_len;
};

enum peap_mschapv2_err {
	PEAP_M_OK = 0,
	PEAP_M_TRUNCATED,	/* shorter than its header */
	PEAP_M_BAD_LENGTH,	/* MS-Length past the data or under 4 */
	PEAP_M_BAD_VALUE_SIZE,	/* Challenge Value-Size not 16 */
	PEAP_M_OPCODE,		/* not one a server sends */
};

enum peap_mschapv2_err peap_mschapv2_parse(const uint8_t *p, size_t n,
					   struct peap_mschapv2 *m);

/* Our Response to a Challenge: Type-Data (OpCode onward) into out[0, cap),
 * returns its length or -1 if cap is too small. */
#define PEAP_MSCHAPV2_RESPONSE_LEN(user_len) (4 + 1 + 49 + (user_len))
int peap_mschapv2_response(uint8_t ms_id, const uint8_t peer_challenge[16],
			   const uint8_t nt_response[24], const uint8_t *user,
			   size_t user_len, uint8_t *out, size_t cap);

/* The Result TLV of an Extensions Request ([MS-PEAP] 2.2.8.1.1). */
enum { PEAP_RESULT_SUCCESS = 1, PEAP_RESULT_FAILURE = 2 };
#define PEAP_TLV_RESULT		3
#define PEAP_TLV_MANDATORY	0x8000
#define PEAP_TLV_TYPE_MASK	0x3fff

enum peap_tlv_err {
	PEAP_T_OK = 0,
	PEAP_T_TRUNCATED,	/* a TLV header or value past the data */
	PEAP_T_NO_RESULT,	/* no Result TLV */
	PEAP_T_BAD_RESULT,	/* Result's length not 2 or status unknown */
	PEAP_T_UNKNOWN_MANDATORY,	/* a mandatory TLV we do not know */
};

/* Extensions Type-Data (after Type 33): the Result's status. */
enum peap_tlv_err peap_tlv_result(const uint8_t *p, size_t n, uint16_t *status);

/* Our Extensions Response, a full EAP packet (the one tunnelled packet
 * of PEAPv0 with its header), with a Result TLV: 11 octets. */
#define PEAP_RESULT_RESPONSE_LEN 11
void peap_result_response(uint8_t id, uint16_t status,
			  uint8_t out[PEAP_RESULT_RESPONSE_LEN]);

/* MS-CHAPv2 Failure text (RFC 2759 6: "E=691 R=0 ..."): the E= code,
 * 0 when absent. */
unsigned peap_failure_code(const uint8_t *msg, size_t len);

#endif
