/*
 * facevq.h - an independent C99 implementation of the facevq wire format, version 1.
 *
 * Written from spec/FORMAT.md alone; section numbers (§n) below refer to that document.
 *
 * Read me first:
 *  - Loading a profile (§10) is the only place that allocates: one block per profile for its
 *    tables (mode 3's derived ones included, §6.7), sized after every limit of §14 is checked (and scratch for the repeated-key check of
 *    maps over 32 keys). Decoding and encoding write into buffers the caller provides, use under
 *    3 KiB of stack and allocate nothing.
 *  - Files: facevq.c (payloads), profile.c (profile file, batch envelope), msgpack.c (their
 *    MessagePack reader), sha256.c.
 *  - Every failure is an fvq_err from the table of §9; fvq_err_name() gives its stable string.
 *  - A decoder never returns a partial grid: on failure n_indices is 0 and grid[] means nothing.
 *  - Sizes: a payload is at most FVQ_MAX_PAYLOAD bytes and a grid at most FVQ_MAX_INDICES indices.
 */
#ifndef FACEVQ_H
#define FACEVQ_H

#include <stddef.h>
#include <stdint.h>

#define FVQ_MAX_PAYLOAD 1024 /* §14 payload: 1 to 1024 bytes */
#define FVQ_MAX_INDICES 1024 /* §14 H*W*G at most 1024 */
#define FVQ_MAX_PLANES 8     /* §14 planes G: 1..8 */
#define FVQ_MAX_EXTS 127     /* a 255-byte block holds at most 127 two-byte entries (§4) */

/* Error codes of §9, in the table's order. FVQ_OK is success. */
typedef enum {
  FVQ_OK = 0,
  FVQ_E_EMPTY,
  FVQ_E_TOO_LARGE,
  FVQ_E_TRUNCATED,
  FVQ_E_VERSION,
  FVQ_E_RESERVED,
  FVQ_E_MODE,
  FVQ_E_PROFILE_UNKNOWN,
  FVQ_E_PROFILE_HASH,
  FVQ_E_EXT_MALFORMED,
  FVQ_E_EXT_DUPLICATE,
  FVQ_E_EXT_ORDER,
  FVQ_E_EXT_CRITICAL,
  FVQ_E_TRAILING,
  FVQ_E_CHECK,
  FVQ_E_INDEX_RANGE,
  FVQ_E_PADDING,
  FVQ_E_RANGE_CODE,
  FVQ_E_NONCANONICAL,
  FVQ_E_GRID,
  FVQ_E_OVER_BOUND,
  FVQ_E_PROFILE_FORMAT,
  FVQ_E_PROFILE_DIGEST,
  FVQ_E_PROFILE_LIMIT,
  FVQ_E_PROFILE_TABLE,
  FVQ_E_BATCH_FORMAT,
  FVQ_E_BATCH_LIMIT,
  FVQ_E_NOMEM /* not a wire error: the allocator failed while loading a profile */
} fvq_err;

/* The stable string of §9 ("E_TRUNCATED"), or "OK". */
const char *fvq_err_name(fvq_err e);

/* One frequency table (§6.1) with its cumulative frequencies c[0..K] (c[K] = 2^15). */
typedef struct {
  uint32_t k;
  const uint16_t *freq; /* K entries */
  const uint32_t *cum;  /* K + 1 entries */
} fvq_table;

/* A loaded profile (§10): what the payload coder needs. Fill it with fvq_profile_read(). */
typedef struct {
  uint8_t id;          /* §10.2 id, 0..15 */
  uint8_t sha256[32];  /* §10.1 */
  uint32_t h, w, planes;
  uint32_t k[FVQ_MAX_PLANES];
  uint32_t bits[FVQ_MAX_PLANES]; /* §1 bits_g = ceil(log2 K_g) */
  uint32_t dim[FVQ_MAX_PLANES];
  uint32_t n_indices;  /* H*W*G */
  uint32_t body0;      /* §1 B0, the mode-0 body size in bytes */
  uint64_t max_bytes;  /* §7 */
  fvq_table prior[FVQ_MAX_PLANES]; /* §6.1, mode 1 */
  uint32_t n_tables;   /* §10.3 context tables; 0: the profile has no context (no mode 2) */
  fvq_table *tables;
  const uint16_t *map; /* H*W*G table numbers (§6.6) */
  /* §6.7 mode 3, derived from prior[] at load: R, and for plane g its states u at g * 2^R */
  uint32_t tans_log;
  uint32_t tans_at[FVQ_MAX_PLANES]; /* plane g's first symbol in tans_norm; tans_cum at + g */
  uint16_t *tans_norm;   /* §6.7.1 f'[s] */
  uint32_t *tans_cum;    /* f'[0] + ... + f'[s-1], K + 1 entries per plane */
  uint16_t *tans_symbol; /* §6.7.2 symbol[u] */
  uint8_t *tans_nbits;   /* §6.7.3 nbBits[u] */
  uint16_t *tans_base;   /* §6.7.3 base[u] */
  uint16_t *tans_state;  /* §6.7.4 the states of each symbol s in increasing order, from cum[s] */
  char name[33];
  void *storage;       /* the one allocation behind the pointers above */
} fvq_profile;

/* Reads and verifies a profile file (§10): the MessagePack envelope, the digest, the body, the
 * limits of §14 and the tables. On success *out owns memory: release it with fvq_profile_free(). */
fvq_err fvq_profile_read(const uint8_t *file, size_t n, fvq_profile *out);
void fvq_profile_free(fvq_profile *p);

/* One extension entry (§4). `value` points into the payload (decode) or the caller's bytes. */
typedef struct {
  uint8_t type;
  uint8_t len;
  const uint8_t *value;
} fvq_ext;

/* The result of fvq_decode(). */
typedef struct {
  size_t profile;      /* index into the profiles given */
  int mode;            /* 0, 1, 2 or 3 (§2.1) */
  uint32_t n_indices;
  uint16_t grid[FVQ_MAX_INDICES];
  size_t n_exts;
  fvq_ext exts[FVQ_MAX_EXTS]; /* every entry, known and unknown, in payload order */
  size_t body_bytes;
  long bit_pos;        /* on failure: the bit where it was detected, or -1 */
} fvq_decoded;

/* Decodes a payload (§8) against the profiles the decoder holds: at most one per id (§2.2; the
 * caller refuses a second, different profile under a held id when it assembles the list). */
fvq_err fvq_decode(const uint8_t *payload, size_t n, const fvq_profile *const *profiles,
                   size_t n_profiles, fvq_decoded *out);

#define FVQ_MODE_AUTO (-1)          /* §7 auto: mode 1, or mode 0 when its body is longer than B0 */
#define FVQ_MODE_AUTO_CONTEXTS (-2) /* §7 auto with mode 2 in place of mode 1 where contexts exist */
#define FVQ_MODE_AUTO_FAST (-3)     /* §7 auto with mode 3 in place of mode 1 */

/* Canonical encoding (§7) of `grid` (n indices) in `mode` (0 to 3 or FVQ_MODE_AUTO*) with the
 * extensions `exts` (any order; they are written in increasing type order). Writes at most `cap`
 * bytes to `out` and their number to *out_len. */
fvq_err fvq_encode(const fvq_profile *p, const uint16_t *grid, size_t n, int mode,
                   const fvq_ext *exts, size_t n_exts, uint8_t *out, size_t cap, size_t *out_len);

#define FVQ_MAX_BATCH 1000   /* §11, §14 items */
#define FVQ_MAX_BATCH_ID 128 /* §11 id bytes */

/* One item of a batch envelope: views into the envelope's bytes. */
typedef struct {
  const uint8_t *id; /* UTF-8, not NUL-terminated */
  size_t id_len;
  const uint8_t *payload;
  size_t payload_len;
} fvq_batch_item;

/* Reads a batch envelope (§11): E_BATCH_FORMAT, E_BATCH_LIMIT, or E_TOO_LARGE for a payload over
 * 1024 bytes. Each payload is then decoded on its own with fvq_decode(). */
fvq_err fvq_batch_read(const uint8_t *buf, size_t n, fvq_batch_item items[FVQ_MAX_BATCH], size_t *count);

/* A signed capture (§13, sign.c): `grid` encoded as fvq_encode() does, with the capture time
 * `time` (seconds since 1970), the key id (1..8 bytes) and an auth tag of tag_len (4..16) bytes:
 * HMAC-SHA-256 under `key` over the payload with check byte and tag zeroed. The payload may take
 * up to `cap` bytes, beyond the profile's max_bytes (e.g. 51: an s payload plus 20 bytes of
 * signature in one LoRaWAN frame); more is FVQ_E_OVER_BOUND. */
fvq_err fvq_sign(const fvq_profile *p, const uint16_t *grid, size_t n, int mode, const uint8_t *key,
                 size_t key_len, const uint8_t *key_id, size_t key_id_len, uint32_t time,
                 size_t tag_len, uint8_t *out, size_t cap, size_t *out_len);

/* Building blocks, exposed for tests and profile.c. */
size_t fvq_tans_bytes(const fvq_profile *p);  /* memory for the §6.7 tables, 8-byte aligned */
void fvq_tans_build(fvq_profile *p, void *mem); /* fills them (prior[] set, limits checked) */
void fvq_sha256(const uint8_t *data, size_t n, uint8_t digest[32]);                 /* FIPS 180-4 */
void fvq_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t n, uint8_t mac[32]); /* RFC 2104; n <= 1024 */
uint8_t fvq_crc8(uint8_t state, const uint8_t *data, size_t n);                     /* §3, raw register */
uint8_t fvq_check_byte(const uint8_t sha256[32], const uint8_t *payload, size_t n); /* §3 */

#endif
