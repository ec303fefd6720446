/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * L2TPv2 wire format (RFC 2661): header, control messages and their AVPs,
 * hidden AVPs (section 4.3), the message rules of section 6, and the header
 * of data messages. No I/O, no allocation, no globals.
 */
#ifndef L2TP_CODEC_H
#define L2TP_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Header flag bits, RFC 2661 section 3.1. */
#define L2TP_HDR_T	0x8000	/* control message */
#define L2TP_HDR_L	0x4000	/* length field present */
#define L2TP_HDR_S	0x0800	/* Ns, Nr present */
#define L2TP_HDR_O	0x0200	/* offset size present */
#define L2TP_HDR_P	0x0100	/* priority (data only) */
#define L2TP_HDR_VER_MASK 0x000f
#define L2TP_VERSION	2

/* Largest control message we build or accept into the transport. */
#define L2TP_MAX_CTRL	4096
/* Header of a control message: flags, length, tunnel, session, Ns, Nr. */
#define L2TP_CTRL_HDR_LEN 12

/* Control message types, RFC 2661 section 3.2. */
enum l2tp_msg_type {
	L2TP_MSG_ZLB = 0,	/* not a type on the wire: a message with no AVPs */
	L2TP_MSG_SCCRQ = 1,
	L2TP_MSG_SCCRP = 2,
	L2TP_MSG_SCCCN = 3,
	L2TP_MSG_STOPCCN = 4,
	L2TP_MSG_HELLO = 6,
	L2TP_MSG_OCRQ = 7,
	L2TP_MSG_OCRP = 8,
	L2TP_MSG_OCCN = 9,
	L2TP_MSG_ICRQ = 10,
	L2TP_MSG_ICRP = 11,
	L2TP_MSG_ICCN = 12,
	L2TP_MSG_CDN = 14,
	L2TP_MSG_WEN = 15,
	L2TP_MSG_SLI = 16,
	L2TP_MSG_TYPE_MAX = 17,
};

/* AVP attribute types, RFC 2661 section 4.4. */
enum l2tp_avp_type {
	L2TP_AVP_MESSAGE_TYPE = 0,
	L2TP_AVP_RESULT_CODE = 1,
	L2TP_AVP_PROTOCOL_VERSION = 2,
	L2TP_AVP_FRAMING_CAPABILITIES = 3,
	L2TP_AVP_BEARER_CAPABILITIES = 4,
	L2TP_AVP_TIE_BREAKER = 5,
	L2TP_AVP_FIRMWARE_REVISION = 6,
	L2TP_AVP_HOST_NAME = 7,
	L2TP_AVP_VENDOR_NAME = 8,
	L2TP_AVP_ASSIGNED_TUNNEL_ID = 9,
	L2TP_AVP_RECEIVE_WINDOW_SIZE = 10,
	L2TP_AVP_CHALLENGE = 11,
	L2TP_AVP_Q931_CAUSE_CODE = 12,
	L2TP_AVP_CHALLENGE_RESPONSE = 13,
	L2TP_AVP_ASSIGNED_SESSION_ID = 14,
	L2TP_AVP_CALL_SERIAL_NUMBER = 15,
	L2TP_AVP_MINIMUM_BPS = 16,
	L2TP_AVP_MAXIMUM_BPS = 17,
	L2TP_AVP_BEARER_TYPE = 18,
	L2TP_AVP_FRAMING_TYPE = 19,
	L2TP_AVP_CALLED_NUMBER = 21,
	L2TP_AVP_CALLING_NUMBER = 22,
	L2TP_AVP_SUB_ADDRESS = 23,
	L2TP_AVP_TX_CONNECT_SPEED = 24,
	L2TP_AVP_PHYSICAL_CHANNEL_ID = 25,
	L2TP_AVP_INITIAL_RECEIVED_LCP_CONFREQ = 26,
	L2TP_AVP_LAST_SENT_LCP_CONFREQ = 27,
	L2TP_AVP_LAST_RECEIVED_LCP_CONFREQ = 28,
	L2TP_AVP_PROXY_AUTHEN_TYPE = 29,
	L2TP_AVP_PROXY_AUTHEN_NAME = 30,
	L2TP_AVP_PROXY_AUTHEN_CHALLENGE = 31,
	L2TP_AVP_PROXY_AUTHEN_ID = 32,
	L2TP_AVP_PROXY_AUTHEN_RESPONSE = 33,
	L2TP_AVP_CALL_ERRORS = 34,
	L2TP_AVP_ACCM = 35,
	L2TP_AVP_RANDOM_VECTOR = 36,
	L2TP_AVP_PRIVATE_GROUP_ID = 37,
	L2TP_AVP_RX_CONNECT_SPEED = 38,
	L2TP_AVP_SEQUENCING_REQUIRED = 39,
	L2TP_AVP_TYPE_MAX = 40,
};

#define L2TP_AVP_BIT(t) ((uint64_t)1 << (t))

/* AVP header bits, RFC 2661 section 4.1. */
#define L2TP_AVP_M	0x8000
#define L2TP_AVP_H	0x4000
#define L2TP_AVP_RSVD	0x3c00
#define L2TP_AVP_LEN_MASK 0x03ff
#define L2TP_AVP_HDR_LEN 6

/* StopCCN result codes, RFC 2661 section 4.4.2. */
enum {
	L2TP_STOPCCN_CLEAR = 1,			/* general request to clear */
	L2TP_STOPCCN_GENERAL_ERROR = 2,		/* see error code */
	L2TP_STOPCCN_ALREADY_EXISTS = 3,
	L2TP_STOPCCN_NOT_AUTHORIZED = 4,
	L2TP_STOPCCN_BAD_VERSION = 5,		/* error code = highest version */
	L2TP_STOPCCN_SHUTTING_DOWN = 6,
	L2TP_STOPCCN_FSM_ERROR = 7,
};

/* CDN result codes, RFC 2661 section 4.4.2. */
enum {
	L2TP_CDN_LOST_CARRIER = 1,
	L2TP_CDN_GENERAL_ERROR = 2,
	L2TP_CDN_ADMIN = 3,
	L2TP_CDN_TEMP_NO_FACILITIES = 4,
	L2TP_CDN_PERM_NO_FACILITIES = 5,
	L2TP_CDN_INVALID_DEST = 6,
	L2TP_CDN_NO_CARRIER = 7,
	L2TP_CDN_BUSY = 8,
	L2TP_CDN_NO_DIALTONE = 9,
	L2TP_CDN_TIMEOUT = 10,
	L2TP_CDN_NO_FRAMING = 11,
};

/* General error codes, RFC 2661 section 4.4.2; 8 is from the IANA
 * registry (RFC 3931 section 5.2 / RFC 3438) and is what an unknown
 * mandatory AVP means to every peer that reads it. */
enum {
	L2TP_ERR_NONE = 0,
	L2TP_ERR_NO_CONTROL_CONNECTION = 1,
	L2TP_ERR_BAD_LENGTH = 2,
	L2TP_ERR_BAD_VALUE = 3,
	L2TP_ERR_INSUFFICIENT_RESOURCES = 4,
	L2TP_ERR_INVALID_SESSION_ID = 5,
	L2TP_ERR_VENDOR = 6,
	L2TP_ERR_TRY_ANOTHER = 7,
	L2TP_ERR_UNKNOWN_MANDATORY_AVP = 8,
};

/* Framing/bearer capability bits, RFC 2661 sections 4.4.3 and 4.4.4. */
#define L2TP_FRAMING_SYNC	0x1
#define L2TP_FRAMING_ASYNC	0x2
#define L2TP_BEARER_DIGITAL	0x1
#define L2TP_BEARER_ANALOG	0x2

/*
 * Every reason to reject or drop a datagram or a message. The control plane
 * keeps one counter per reason. Reasons up to L2TP_R_LAST_FRAME make the
 * datagram unusable (it is dropped before reliable delivery sees it, the
 * peer retransmits); later ones are about a well-framed message.
 */
enum l2tp_reason {
	L2TP_OK = 0,
	/* header, RFC 2661 section 3.1 */
	L2TP_R_TRUNCATED_HEADER,
	L2TP_R_BAD_VERSION,
	L2TP_R_BAD_CONTROL_FLAGS,	/* control without L or S, or with O/P */
	L2TP_R_BAD_LENGTH,		/* Length field past the datagram or inside the header */
	L2TP_R_BAD_OFFSET,		/* Offset padding past the frame */
	L2TP_R_NOT_CONTROL,		/* a data message given to the control path */
	L2TP_R_NOT_DATA,		/* a control message given to the data parser */
	/* AVP framing, section 4.1 */
	L2TP_R_AVP_TRUNCATED,		/* AVP header past the end */
	L2TP_R_AVP_BAD_LENGTH,		/* AVP length < 6 or past the end */
	L2TP_R_LAST_FRAME = L2TP_R_AVP_BAD_LENGTH,
	/* message semantics, sections 4.2 to 4.4 and 6 */
	L2TP_R_FIRST_AVP_NOT_MSG_TYPE,
	L2TP_R_UNKNOWN_MSG_TYPE_MANDATORY,
	L2TP_R_UNKNOWN_MSG_TYPE_IGNORED,
	L2TP_R_HIDDEN_NO_SECRET,
	L2TP_R_HIDDEN_NO_RANDOM_VECTOR,
	L2TP_R_HIDDEN_BAD_LENGTH,
	L2TP_R_HIDDEN_FORBIDDEN,
	L2TP_R_AVP_BAD_SIZE,		/* known AVP, value of the wrong size */
	L2TP_R_AVP_DUPLICATE,
	L2TP_R_UNKNOWN_MANDATORY_AVP,
	L2TP_R_MISSING_MANDATORY_AVP,
	/* control plane */
	L2TP_R_UNKNOWN_TUNNEL,
	L2TP_R_PEER_MISMATCH,		/* datagram for a tunnel from another peer */
	L2TP_R_DUPLICATE,		/* Ns already received (acked again) */
	L2TP_R_OUT_OF_WINDOW,		/* Ns beyond our receive window */
	L2TP_R_RX_QUEUE_FULL,
	L2TP_R_BAD_NR,			/* Nr acknowledges what we never sent */
	L2TP_R_BAD_STATE,		/* message not valid in the current state */
	L2TP_R_UNKNOWN_SESSION,
	L2TP_R_BAD_PROTOCOL_VERSION,
	L2TP_R_AUTH_FAILED,
	L2TP_R_TUNNEL_LIMIT,
	L2TP_R_SESSION_LIMIT,
	L2TP_R_TUNNEL_SESSION_LIMIT,
	L2TP_R_RATE_LIMITED,
	L2TP_R_REPLY_SUPPRESSED,	/* stateless reply withheld by its own rate limit */
	L2TP_R_TIE_BREAKER_LOST,
	L2TP_R_NO_MEMORY,
	L2TP_R_NO_ID,			/* no free tunnel or session id */
	L2TP_R_NO_RANDOM,		/* the random source failed: no challenge, no ID */
	L2TP_R_SCCRQ_REFUSED,		/* l2tp_ops.accept_tunnel said no (e.g. no IPsec SA) */
	L2TP_R_SCCRQ_DEFERRED,		/* l2tp_ops.accept_tunnel cannot decide yet: dropped */
	L2TP_R_SCCRQ_BUSY,		/* l2tp_ops.accept_tunnel: not now (draining) */
	L2TP_R_CALLS_REFUSED,		/* l2tp_ctx_refuse_calls() is on (draining) */
	L2TP_R_HALF_OPEN_LIMIT,		/* SCCRQ refused: too many tunnels without SCCCN */
	L2TP_R_PREAUTH_LIMIT,		/* ICRQ refused: too many calls not yet authenticated */
	L2TP_R_TUNNEL_PREAUTH_LIMIT,	/* ICRQ refused: this tunnel's unauthenticated calls */
	L2TP_R_MAX
};

const char *l2tp_reason_name(enum l2tp_reason r);
static inline bool l2tp_reason_is_frame_error(enum l2tp_reason r)
{
	return r != L2TP_OK && r <= L2TP_R_LAST_FRAME;
}

const char *l2tp_msg_type_name(unsigned type);
const char *l2tp_avp_type_name(unsigned type);

/* A parsed header, control or data. */
struct l2tp_header {
	uint16_t flags;		/* raw first word */
	bool control, has_length, has_seq, has_offset, priority;
	uint16_t length;	/* Length field, or the datagram length without L */
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t ns, nr;
	uint16_t offset_size;
	uint16_t hdr_len;	/* payload (AVPs or PPP frame) starts here */
	uint16_t frame_len;	/* end of the message (Length, else datagram) */
};

/*
 * Parse a control message header: T, L and S set, O and P clear, version 2
 * (RFC 2661 section 3.1). The AVPs are buf[h->hdr_len .. h->frame_len).
 */
enum l2tp_reason l2tp_ctrl_header_parse(const uint8_t *buf, size_t len,
					struct l2tp_header *h);

/*
 * Parse a data message header (T clear): optional Length, Ns/Nr, Offset
 * Size and padding. The PPP frame is buf[h->hdr_len .. h->frame_len).
 */
enum l2tp_reason l2tp_data_header_parse(const uint8_t *buf, size_t len,
					struct l2tp_header *h);

/* Write a minimal data header (no L, S or O): 6 bytes. Returns its length,
 * or 0 if cap is too small. */
size_t l2tp_data_header_write(uint8_t *buf, size_t cap, uint16_t tunnel_id,
			      uint16_t session_id);

/* Write a control header (T, L, S); the Length field is patched later. */
size_t l2tp_ctrl_header_write(uint8_t *buf, size_t cap, uint16_t tunnel_id,
			      uint16_t session_id, uint16_t ns, uint16_t nr);

/* A value inside the datagram or in the message's scratch space. */
struct l2tp_bytes {
	const uint8_t *p;
	uint16_t len;
};

struct l2tp_call_errors {
	uint32_t crc_errors, framing_errors, hardware_overruns;
	uint32_t buffer_overruns, timeout_errors, alignment_errors;
};

/*
 * A decoded control message. `present` has bit L2TP_AVP_BIT(type) for each
 * AVP seen; only those fields are meaningful. Byte values point into the
 * datagram or, for hidden AVPs, into `scratch`: the message is valid as long
 * as the datagram is.
 */
struct l2tp_msg {
	uint16_t type;			/* enum l2tp_msg_type; 0 for a ZLB */
	bool zlb;
	uint64_t present;
	uint64_t hidden;		/* AVPs that arrived hidden */
	uint16_t missing_avp;		/* first missing mandatory AVP */
	uint16_t unknown_avp_vendor, unknown_avp_type; /* first unknown M AVP */
	uint16_t bad_avp;		/* AVP type of the first semantic error */
	uint16_t unknown_optional;	/* unknown AVPs skipped (M clear) */
	uint16_t vendor_avps;		/* AVPs with a vendor id, skipped or not */
	uint16_t unexpected_avps;	/* known AVPs not listed for this message */

	uint16_t result_code, error_code;
	bool has_error_code;
	struct l2tp_bytes error_message;
	uint8_t protocol_version, protocol_revision;
	uint32_t framing_capabilities, bearer_capabilities;
	uint8_t tie_breaker[8];
	uint16_t firmware_revision;
	struct l2tp_bytes host_name, vendor_name;
	uint16_t assigned_tunnel_id, receive_window_size;
	struct l2tp_bytes challenge;
	uint8_t challenge_response[16];
	uint16_t q931_cause;
	uint8_t q931_msg;
	struct l2tp_bytes q931_advisory;
	uint16_t assigned_session_id;
	uint32_t call_serial_number, minimum_bps, maximum_bps;
	uint32_t bearer_type, framing_type;
	struct l2tp_bytes called_number, calling_number, sub_address;
	uint32_t tx_connect_speed, physical_channel_id, rx_connect_speed;
	struct l2tp_bytes initial_received_lcp_confreq;
	struct l2tp_bytes last_sent_lcp_confreq, last_received_lcp_confreq;
	uint16_t proxy_authen_type;
	struct l2tp_bytes proxy_authen_name, proxy_authen_challenge;
	uint8_t proxy_authen_id;
	struct l2tp_bytes proxy_authen_response;
	struct l2tp_call_errors call_errors;
	uint32_t accm_send, accm_recv;
	struct l2tp_bytes random_vector;	/* the last one seen */
	struct l2tp_bytes private_group_id;

	/* plaintext of hidden AVPs; at most one datagram's worth */
	uint16_t scratch_used;
	uint8_t scratch[L2TP_MAX_CTRL];
};

/* The shared secret used to hide and unhide AVPs (section 4.3). */
struct l2tp_secret {
	const uint8_t *p;
	size_t len;
};

/*
 * Decode the AVPs of a control message (buf, len = the part after the
 * header). Returns L2TP_OK or the first reason the message is unusable.
 * On a semantic error (not a frame error) the fields that could be read are
 * still filled: the caller needs e.g. the Assigned Tunnel ID to answer with
 * a StopCCN. A NULL or empty secret makes hidden AVPs an error.
 */
enum l2tp_reason l2tp_msg_decode(const uint8_t *buf, size_t len,
				 const struct l2tp_secret *secret,
				 struct l2tp_msg *m);

/* Start a message for encoding: zero it and set its type. */
void l2tp_msg_init(struct l2tp_msg *m, enum l2tp_msg_type type);

/* Mark an AVP present (the field itself is set by the caller). */
static inline void l2tp_msg_set(struct l2tp_msg *m, enum l2tp_avp_type t)
{
	m->present |= L2TP_AVP_BIT(t);
}

static inline bool l2tp_msg_has(const struct l2tp_msg *m, enum l2tp_avp_type t)
{
	return (m->present & L2TP_AVP_BIT(t)) != 0;
}

/* What to hide when encoding: the AVPs in `mask`, after one Random Vector
 * AVP carrying rv (section 4.3). */
struct l2tp_hide {
	struct l2tp_secret secret;
	const uint8_t *rv;
	size_t rv_len;
	uint64_t mask;
};

/*
 * Encode a complete control message: header (T, L, S, version 2) followed
 * by the Message Type AVP and every present AVP in type order. A ZLB (type
 * 0) has no AVPs. Returns the length, or 0 if it does not fit in cap.
 */
size_t l2tp_msg_encode(const struct l2tp_msg *m, uint16_t tunnel_id,
		       uint16_t session_id, uint16_t ns, uint16_t nr,
		       const struct l2tp_hide *hide, uint8_t *buf, size_t cap);

/* Mandatory and allowed AVPs of a message type (section 6). */
uint64_t l2tp_msg_mandatory_avps(unsigned type);
uint64_t l2tp_msg_allowed_avps(unsigned type);
/* Whether messages of this type belong to a session (CDN, ICRQ...) rather
 * than to the tunnel: decides whether an error tears down one or the other
 * (section 4.1, M bit). */
bool l2tp_msg_is_session_message(unsigned type);

/*
 * Hide (encrypt) a value per section 4.3: out gets the Hidden AVP Subformat
 * (2-byte original length, value, pad_len bytes of padding taken from pad)
 * XORed with the MD5 chain. Returns the subformat length, 0 on overflow.
 */
size_t l2tp_avp_hide(uint16_t attr_type, const struct l2tp_secret *secret,
		     const uint8_t *rv, size_t rv_len, const uint8_t *value,
		     size_t value_len, const uint8_t *pad, size_t pad_len,
		     uint8_t *out, size_t cap);
/* The reverse: decrypt `len` bytes into out (same length). */
void l2tp_avp_unhide(uint16_t attr_type, const struct l2tp_secret *secret,
		     const uint8_t *rv, size_t rv_len, const uint8_t *in,
		     size_t len, uint8_t *out);

/*
 * Challenge Response (sections 4.4.3 and 5.1.1): MD5 over the message type
 * of the message carrying the response (2 for SCCRP, 3 for SCCCN) as one
 * octet, the shared secret, and the challenge, as CHAP does (RFC 1994).
 */
void l2tp_challenge_response(uint8_t msg_type, const struct l2tp_secret *secret,
			     const uint8_t *challenge, size_t challenge_len,
			     uint8_t out[16]);

/* Whether `response` is the right Challenge Response to `challenge`,
 * compared in constant time: how long the check takes says nothing about
 * how many octets of a guess were right. */
bool l2tp_challenge_response_ok(uint8_t msg_type, const struct l2tp_secret *secret,
				const uint8_t *challenge, size_t challenge_len,
				const uint8_t response[16]);

#endif
