/*
 * sign.c - signed captures (spec §13): HMAC-SHA-256 (RFC 2104) and fvq_sign(), which encodes a
 * grid with the capture time (§4 type 0x01), the key id (0x03) and an auth tag (0x04).
 *
 * The tag is the first tag_len bytes of HMAC-SHA-256(key, M), where M is the payload with the
 * check byte and the tag's value zeroed (§4). With no nonce and no unknown extensions the tag is
 * the block's last entry, so its value ends where the block does: 3 + 1 + N.
 */
#include "facevq.h"

#include <string.h>

#define HMAC_BLOCK 64 /* SHA-256's block size: keys longer than this are hashed first (RFC 2104 §2) */

void fvq_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *msg, size_t n, uint8_t mac[32]) {
  uint8_t k[HMAC_BLOCK], inner[HMAC_BLOCK + FVQ_MAX_PAYLOAD], outer[HMAC_BLOCK + 32];
  size_t i;
  memset(k, 0, sizeof k);
  if (key_len > HMAC_BLOCK) fvq_sha256(key, key_len, k);
  else if (key_len > 0) memcpy(k, key, key_len);
  for (i = 0; i < HMAC_BLOCK; i++) {
    inner[i] = (uint8_t)(k[i] ^ 0x36);
    outer[i] = (uint8_t)(k[i] ^ 0x5c);
  }
  memcpy(inner + HMAC_BLOCK, msg, n); /* n <= FVQ_MAX_PAYLOAD: callers pass payloads */
  fvq_sha256(inner, HMAC_BLOCK + n, outer + HMAC_BLOCK);
  fvq_sha256(outer, sizeof outer, mac);
}

fvq_err fvq_sign(const fvq_profile *p, const uint16_t *grid, size_t n, int mode, const uint8_t *key,
                 size_t key_len, const uint8_t *key_id, size_t key_id_len, uint32_t time,
                 size_t tag_len, uint8_t *out, size_t cap, size_t *out_len) {
  uint8_t time_be[4], zeros[16], mac[32], m[FVQ_MAX_PAYLOAD];
  fvq_ext exts[3];
  fvq_profile bounded = *p; /* a read-only copy whose bound is the caller's cap (§13 frame) */
  size_t tag_at;
  fvq_err e;
  if (tag_len < 4 || tag_len > 16 || key_id_len < 1 || key_id_len > 8) return FVQ_E_EXT_MALFORMED; /* §4 table */
  if (cap > FVQ_MAX_PAYLOAD) cap = FVQ_MAX_PAYLOAD; /* §14 */
  time_be[0] = (uint8_t)(time >> 24); time_be[1] = (uint8_t)(time >> 16);
  time_be[2] = (uint8_t)(time >> 8); time_be[3] = (uint8_t)time;
  memset(zeros, 0, sizeof zeros);
  exts[0].type = 0x01; exts[0].len = 4; exts[0].value = time_be;
  exts[1].type = 0x03; exts[1].len = (uint8_t)key_id_len; exts[1].value = key_id;
  exts[2].type = 0x04; exts[2].len = (uint8_t)tag_len; exts[2].value = zeros;
  bounded.max_bytes = cap;
  e = fvq_encode(&bounded, grid, n, mode, exts, 3, out, cap, out_len);
  if (e != FVQ_OK) return e;
  tag_at = 4 + out[3] - tag_len; /* the tag's value ends the block */
  memcpy(m, out, *out_len);
  m[2] = 0;
  fvq_hmac_sha256(key, key_len, m, *out_len, mac);
  memcpy(out + tag_at, mac, tag_len);
  out[2] = fvq_check_byte(p->sha256, out, *out_len); /* §3 */
  return FVQ_OK;
}
