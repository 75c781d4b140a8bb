/*
 * facevq.c - the facevq wire format, version 1, in C99, written from spec/FORMAT.md.
 *
 * This file is the payload codec. Sections, in file order: error names (§9); CRC-8/AUTOSAR (§3);
 * extensions (§4); mode 0 (§5); the range coder (§6); table ANS (§6.7); decoding (§8); encoding
 * (§7). The profile
 * file and the batch envelope are in profile.c, SHA-256 in sha256.c.
 */
#include "facevq.h"

#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- §9 error codes */

static const char *const ERR_NAMES[] = {
    "OK",
    "E_EMPTY", "E_TOO_LARGE", "E_TRUNCATED", "E_VERSION", "E_RESERVED", "E_MODE",
    "E_PROFILE_UNKNOWN", "E_PROFILE_HASH", "E_EXT_MALFORMED", "E_EXT_DUPLICATE", "E_EXT_ORDER",
    "E_EXT_CRITICAL", "E_TRAILING", "E_CHECK", "E_INDEX_RANGE", "E_PADDING", "E_RANGE_CODE",
    "E_NONCANONICAL", "E_GRID", "E_OVER_BOUND", "E_PROFILE_FORMAT", "E_PROFILE_DIGEST",
    "E_PROFILE_LIMIT", "E_PROFILE_TABLE", "E_BATCH_FORMAT", "E_BATCH_LIMIT",
    "E_NOMEM",
};

const char *fvq_err_name(fvq_err e) {
  if ((unsigned)e >= sizeof ERR_NAMES / sizeof ERR_NAMES[0]) return "E_UNKNOWN";
  return ERR_NAMES[e];
}

/* ---------------------------------------------------------------- §3 CRC-8/AUTOSAR */

#define CRC_POLY 0x2F /* width 8, init 0xFF, no reflection, final XOR 0xFF */

/* Shifts `data` through the raw register `state`, MSB first; no initial value or final XOR. */
uint8_t fvq_crc8(uint8_t state, const uint8_t *data, size_t n) {
  size_t i;
  int k;
  for (i = 0; i < n; i++) {
    state ^= data[i];
    for (k = 0; k < 8; k++) state = (uint8_t)(state & 0x80 ? (state << 1) ^ CRC_POLY : state << 1);
  }
  return state;
}

/* §3: CRC over sha256(profile) || payload[0] || payload[1] || payload[3 .. end]. */
uint8_t fvq_check_byte(const uint8_t sha256[32], const uint8_t *payload, size_t n) {
  uint8_t c = fvq_crc8(0xFF, sha256, 32);
  c = fvq_crc8(c, payload, 2);
  if (n > 3) c = fvq_crc8(c, payload + 3, n - 3);
  return (uint8_t)(c ^ 0xFF);
}

/* ---------------------------------------------------------------- §4 extensions */

#define EXT_CRITICAL 0x80 /* types 0x80..0xFF: unknown ones are critical */

/* The allowed value lengths of the known types (§4 table); {0, 0} for unknown types. */
static void ext_length_range(uint8_t type, unsigned *lo, unsigned *hi) {
  switch (type) {
  case 0x01: *lo = 4; *hi = 4; break;  /* capture time */
  case 0x02: *lo = 1; *hi = 16; break; /* nonce */
  case 0x03: *lo = 1; *hi = 8; break;  /* key id */
  case 0x04: *lo = 4; *hi = 16; break; /* auth tag */
  default: *lo = 0; *hi = 0; break;
  }
}

static int ext_known(uint8_t type) { return type >= 0x01 && type <= 0x04; }

/* Walks the block that starts at p[at] (its length byte) in a payload of n bytes, checking the
 * rules of §4 in order for each entry. On success *end is the first byte after the block. */
static fvq_err read_extensions(const uint8_t *p, size_t n, size_t at, fvq_decoded *out, size_t *end) {
  size_t block, stop, q;
  int prev = -1;
  if (at >= n) { out->bit_pos = (long)(at * 8); return FVQ_E_TRUNCATED; } /* no length byte */
  block = p[at];
  if (block == 0) { out->bit_pos = (long)(at * 8); return FVQ_E_EXT_MALFORMED; } /* rule 1 */
  if (n - (at + 1) < block) { out->bit_pos = (long)(n * 8); return FVQ_E_TRUNCATED; }
  q = at + 1;
  stop = q + block;
  while (q < stop) {
    uint8_t type, len;
    unsigned lo, hi;
    out->bit_pos = (long)(q * 8);
    if (stop - q < 2) return FVQ_E_EXT_MALFORMED;                 /* rule 2: T and L */
    type = p[q];
    len = p[q + 1];
    if (stop - (q + 2) < len) return FVQ_E_EXT_MALFORMED;         /* rule 2: value inside */
    if (type == 0x00) return FVQ_E_EXT_MALFORMED;                 /* rule 2: type 0 */
    if (prev == type) return FVQ_E_EXT_DUPLICATE;                 /* rule 3 */
    if (prev > type) return FVQ_E_EXT_ORDER;
    ext_length_range(type, &lo, &hi);
    if (ext_known(type) && (len < lo || len > hi)) return FVQ_E_EXT_MALFORMED; /* rule 4 */
    if (!ext_known(type) && type >= EXT_CRITICAL) return FVQ_E_EXT_CRITICAL;   /* rule 5 */
    out->exts[out->n_exts].type = type;
    out->exts[out->n_exts].len = len;
    out->exts[out->n_exts].value = p + q + 2;
    out->n_exts++;
    prev = type;
    q += 2 + (size_t)len;
  }
  out->bit_pos = -1;
  *end = stop;
  return FVQ_OK;
}

/* ---------------------------------------------------------------- §5 mode 0 */

/* Reads `n` bits (1..12) at bit `pos` of `buf`, MSB first (§0); the caller checked the length. */
static uint32_t read_bits(const uint8_t *buf, size_t pos, unsigned n) {
  uint32_t v = 0;
  unsigned i;
  for (i = 0; i < n; i++, pos++) v = v << 1 | ((buf[pos >> 3] >> (7 - (pos & 7))) & 1u);
  return v;
}

static void write_bits(uint8_t *buf, size_t pos, uint32_t v, unsigned n) {
  unsigned i;
  for (i = 0; i < n; i++, pos++)
    if ((v >> (n - 1 - i)) & 1u) buf[pos >> 3] |= (uint8_t)(0x80u >> (pos & 7));
}

/* The body is exactly B0 bytes (checked by the caller, §8 step 5). */
static fvq_err decode_mode0(const fvq_profile *pr, const uint8_t *body, size_t body_at, fvq_decoded *out) {
  size_t pos = 0, end_bits = (size_t)pr->body0 * 8;
  uint32_t i;
  for (i = 0; i < pr->n_indices; i++) {
    unsigned g = i % pr->planes;
    uint32_t v = read_bits(body, pos, pr->bits[g]);
    if (v >= pr->k[g]) { out->bit_pos = (long)(body_at * 8 + pos); return FVQ_E_INDEX_RANGE; }
    out->grid[i] = (uint16_t)v;
    pos += pr->bits[g];
  }
  for (; pos < end_bits; pos++) /* padding bits, §5 */
    if ((body[pos >> 3] >> (7 - (pos & 7))) & 1u) {
      out->bit_pos = (long)(body_at * 8 + pos);
      return FVQ_E_PADDING;
    }
  return FVQ_OK;
}

/* ---------------------------------------------------------------- §6 range coder
 *
 * State: `range` is 32 bits and stays >= 2^24 between symbols; frequencies are 15 bits, so
 * r = floor(range / 2^15) < 2^17 and r * f <= range < 2^32 fits 32 bits. The encoder's `low` can
 * reach 2^32 + 2^32 before the carry is taken out: it is 64 bits wide (§6). */

#define RC_PROB_BITS 15
#define RC_TOP (1u << 24)

/* The table of grid index n: §6.1 prior[n mod G] in mode 1, §6.6 tables[map[n]] in mode 2. */
static const fvq_table *table_for(const fvq_profile *pr, int mode, uint32_t n) {
  return mode == 2 ? &pr->tables[pr->map[n]] : &pr->prior[n % pr->planes];
}

/* The symbol s with c[s] <= t < c[s+1]: binary search over the cumulative frequencies. */
static uint32_t table_lookup(const fvq_table *tb, uint32_t t) {
  uint32_t lo = 0, hi = tb->k; /* invariant: c[lo] <= t < c[hi] */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (tb->cum[mid] <= t) lo = mid; else hi = mid;
  }
  return lo;
}

/* §6.3: the value in [low, low + range) with the most trailing zero bits (low < 2^32). */
static uint64_t rc_final_value(uint64_t low, uint32_t range) {
  uint64_t v = low;
  int k;
  for (k = 32; k >= 0; k--) {
    uint64_t step = (uint64_t)1 << k;
    v = (low + step - 1) >> k << k; /* ceil(low / 2^k) * 2^k */
    if (v < low + range) break;
  }
  return v;
}

/* §6.4-§6.5: decodes n_indices symbols from body[0..len), then checks the termination. */
static fvq_err decode_range(const fvq_profile *pr, int mode, const uint8_t *body, size_t len,
                            size_t body_at, fvq_decoded *out) {
  uint32_t code = 0, low = 0, range = 0xFFFFFFFFu, i;
  size_t pos;
  uint64_t v;
  for (pos = 0; pos < 4; pos++) code = code << 8 | (pos < len ? body[pos] : 0);
  for (i = 0; i < pr->n_indices; i++) {
    const fvq_table *tb = table_for(pr, mode, i);
    uint32_t r = range >> RC_PROB_BITS;
    uint32_t t = (code - low) / r; /* (code - low) mod 2^32: unsigned wrap */
    uint32_t s;
    if (t >= (1u << RC_PROB_BITS)) { out->bit_pos = (long)((body_at + pos) * 8); return FVQ_E_RANGE_CODE; }
    s = table_lookup(tb, t);
    out->grid[i] = (uint16_t)s;
    low += r * tb->cum[s];
    range = r * tb->freq[s];
    while (range < RC_TOP) {
      code = code << 8 | (pos < len ? body[pos] : 0); /* past the end reads 0x00 */
      pos++;
      low <<= 8;
      range <<= 8;
    }
  }
  /* §6.5 canonical check */
  v = rc_final_value(low, range) & 0xFFFFFFFFu;
  if (code != (uint32_t)v || len > pos || (len > 0 && body[len - 1] == 0x00)) {
    out->bit_pos = (long)((body_at + len) * 8);
    return FVQ_E_NONCANONICAL;
  }
  return FVQ_OK;
}

/* §6.2 carry: adds 1 to the last byte written, propagating through 0xFF bytes. */
static void rc_carry(uint8_t *out, size_t len) {
  size_t i = len;
  while (i > 0 && out[i - 1] == 0xFF) out[--i] = 0x00;
  if (i > 0) out[i - 1]++; /* the coded value stays below 1: i > 0 always (§6.2) */
}

/* Upper bound on the bytes the encoder writes before trimming: each symbol costs at most
 * log2(2^15 / 1) bits plus the floor loss (< 2^-9 relative), so 1024 symbols take < 1924 bytes;
 * the termination adds 4. */
#define RC_SCRATCH 2048

/* §6.2-§6.3: codes the grid into out (cap >= RC_SCRATCH); returns the body length. */
static size_t encode_range(const fvq_profile *pr, int mode, const uint16_t *grid, uint8_t *out) {
  uint64_t low = 0, v;
  uint32_t range = 0xFFFFFFFFu, i;
  size_t len = 0;
  int b;
  for (i = 0; i < pr->n_indices; i++) {
    const fvq_table *tb = table_for(pr, mode, i);
    uint32_t s = grid[i], r = range >> RC_PROB_BITS;
    low += (uint64_t)r * tb->cum[s];
    range = r * tb->freq[s];
    if (low >= ((uint64_t)1 << 32)) { low -= (uint64_t)1 << 32; rc_carry(out, len); }
    while (range < RC_TOP) {
      out[len++] = (uint8_t)(low >> 24);
      low = (low & 0xFFFFFF) << 8;
      range <<= 8;
    }
  }
  v = rc_final_value(low, range); /* §6.3 termination */
  if (v >= ((uint64_t)1 << 32)) { v -= (uint64_t)1 << 32; rc_carry(out, len); }
  for (b = 3; b >= 0; b--) out[len++] = (uint8_t)(v >> (8 * b));
  while (len > 0 && out[len - 1] == 0x00) len--;
  return len;
}

/* ---------------------------------------------------------------- §6.7 mode 3, table ANS
 *
 * The tables are derived once, when the profile is loaded (fvq_tans_build). States are below
 * L = 2^R <= 2^14, so every table entry fits 16 bits. The decoder reads bits one at a time, 0
 * past the end of the body; the encoder writes its bits backward from the end of its buffer
 * (ANS is last in, first out) and then moves them to the front. */

#define TANS_MIN_LOG 9
#define TANS_MAX_K 4096 /* §14 */

/* §6.7.1 R = max(9, max_g bits_g + 2). */
static uint32_t tans_log(const fvq_profile *p) {
  uint32_t g, bits = 0;
  for (g = 0; g < p->planes; g++) if (p->bits[g] > bits) bits = p->bits[g];
  return bits + 2 > TANS_MIN_LOG ? bits + 2 : TANS_MIN_LOG;
}

size_t fvq_tans_bytes(const fvq_profile *p) {
  size_t syms = 0, states = (size_t)p->planes << tans_log(p);
  uint32_t g;
  for (g = 0; g < p->planes; g++) syms += p->k[g];
  /* cum (u32, K + 1 a plane) and a counter per symbol; norm (u16); symbol, base, state (u16);
   * nbits (u8) */
  return (syms + p->planes + TANS_MAX_K) * 4 + syms * 2 + states * 7 + 8;
}

/* floor(log2 x), x >= 1 */
static uint32_t floor_log2(uint32_t x) {
  uint32_t r = 0;
  while (x >>= 1) r++;
  return r;
}

void fvq_tans_build(fvq_profile *p, void *mem) {
  uint32_t R = tans_log(p), L = 1u << R, g, s, u, at = 0;
  size_t syms = 0, states = (size_t)p->planes << R;
  uint32_t *seen;
  for (g = 0; g < p->planes; g++) syms += p->k[g];
  p->tans_log = R;
  p->tans_cum = (uint32_t *)mem;
  seen = p->tans_cum + syms + p->planes;
  p->tans_norm = (uint16_t *)(seen + TANS_MAX_K);
  p->tans_symbol = p->tans_norm + syms;
  p->tans_base = p->tans_symbol + states;
  p->tans_state = p->tans_base + states;
  p->tans_nbits = (uint8_t *)(p->tans_state + states);
  for (g = 0; g < p->planes; g++) {
    uint32_t K = p->k[g], sum = 0, pos = 0, step = L / 2 + L / 8 + 3;
    uint16_t *f = p->tans_norm + at, *sym = p->tans_symbol + (size_t)g * L;
    uint32_t *cum = p->tans_cum + at + g;
    p->tans_at[g] = at;
    /* §6.7.1: scale, round half up, at least 1; then correct the sum on the largest entry */
    for (s = 0; s < K; s++) {
      uint32_t v = (p->prior[g].freq[s] + (1u << (14 - R))) >> (15 - R);
      f[s] = (uint16_t)(v ? v : 1);
      sum += f[s];
    }
    while (sum != L) {
      uint32_t b = 0;
      for (s = 1; s < K; s++) if (f[s] > f[b]) b = s;
      if (sum > L) { f[b]--; sum--; } else { f[b]++; sum++; }
    }
    cum[0] = 0;
    for (s = 0; s < K; s++) cum[s + 1] = cum[s] + f[s];
    /* §6.7.2 spread */
    for (s = 0; s < K; s++) {
      uint32_t i;
      for (i = 0; i < f[s]; i++) { sym[pos] = (uint16_t)s; pos = (pos + step) & (L - 1); }
    }
    /* §6.7.3 decoding table, and §6.7.4's list of each symbol's states */
    for (s = 0; s < K; s++) seen[s] = 0;
    for (u = 0; u < L; u++) {
      uint32_t x, nb;
      s = sym[u];
      x = f[s] + seen[s];
      p->tans_state[(size_t)g * L + cum[s] + seen[s]] = (uint16_t)u;
      seen[s]++;
      nb = R - floor_log2(x);
      p->tans_nbits[(size_t)g * L + u] = (uint8_t)nb;
      p->tans_base[(size_t)g * L + u] = (uint16_t)((x << nb) - L);
    }
    at += K;
  }
}

/* §6.7.4: the canonical final state, the lowest state of plane g holding s. */
static uint32_t tans_first_state(const fvq_profile *p, uint32_t g, uint32_t s) {
  return p->tans_state[((size_t)g << p->tans_log) + p->tans_cum[p->tans_at[g] + g + s]];
}

/* `n` bits at bit `pos` of body[0..len), MSB first, 0 past the end. */
static uint32_t read_bits_z(const uint8_t *body, size_t len, size_t pos, unsigned n) {
  uint32_t v = 0;
  unsigned i;
  for (i = 0; i < n; i++, pos++) v = v << 1 | (pos / 8 < len ? (body[pos >> 3] >> (7 - (pos & 7))) & 1u : 0);
  return v;
}

/* §6.7.5: decodes n_indices indices from body[0..len), then the checks in their order. */
static fvq_err decode_tans(const fvq_profile *p, const uint8_t *body, size_t len, size_t body_at, fvq_decoded *out) {
  uint32_t R = p->tans_log, G = p->planes, N = p->n_indices, n, state, last_g;
  size_t used = R, bytes, j;
  state = read_bits_z(body, len, 0, R);
  for (n = 0; n < N; n++) {
    size_t e = ((size_t)(n % G) << R) + state;
    out->grid[n] = p->tans_symbol[e];
    if (n + 1 < N) {
      unsigned k = p->tans_nbits[e];
      state = p->tans_base[e] + read_bits_z(body, len, used, k);
      used += k;
    }
  }
  bytes = (used + 7) / 8;
  if (bytes > len) { out->bit_pos = (long)((body_at + len) * 8); return FVQ_E_TRUNCATED; }
  if (bytes < len) { out->bit_pos = (long)((body_at + bytes) * 8); return FVQ_E_TRAILING; }
  last_g = (N - 1) % G;
  out->bit_pos = (long)(body_at * 8 + used);
  if (state != tans_first_state(p, last_g, out->grid[N - 1])) return FVQ_E_NONCANONICAL;
  for (j = used; j < len * 8; j++)
    if (read_bits_z(body, len, j, 1)) { out->bit_pos = (long)(body_at * 8 + j); return FVQ_E_PADDING; }
  out->bit_pos = -1;
  return FVQ_OK;
}

/* §6.7.4: codes the grid into out[0..cap) (cap * 8 >= N * R); returns the body length. */
static size_t encode_tans(const fvq_profile *p, const uint16_t *grid, uint8_t *out, size_t cap) {
  uint32_t R = p->tans_log, L = 1u << R, G = p->planes, N = p->n_indices, n, state;
  size_t pos = cap * 8, total, j;
  memset(out, 0, cap);
  state = tans_first_state(p, (N - 1) % G, grid[N - 1]);
  for (n = N - 1; n-- > 0;) {
    uint32_t g = n % G, s = grid[n], f = p->tans_norm[p->tans_at[g] + s], X = state + L, k = 0;
    while ((X >> k) >= 2 * f) k++; /* f' <= floor(X / 2^k) < 2 f' */
    pos -= k;
    write_bits(out, pos, X & ((1u << k) - 1), k);
    state = p->tans_state[((size_t)g << R) + p->tans_cum[p->tans_at[g] + g + s] + (X >> k) - f];
  }
  pos -= R;
  write_bits(out, pos, state, R);
  /* move the bits [pos, cap * 8) to the front, then clear what follows them in the last byte */
  total = cap * 8 - pos;
  for (j = 0; j < total; j++) {
    unsigned bit = (out[(pos + j) >> 3] >> (7 - ((pos + j) & 7))) & 1u;
    uint8_t mask = (uint8_t)(0x80u >> (j & 7));
    out[j >> 3] = (uint8_t)(bit ? out[j >> 3] | mask : out[j >> 3] & ~mask);
  }
  for (j = total; j % 8; j++) out[j >> 3] &= (uint8_t)~(0x80u >> (j & 7));
  return (total + 7) / 8;
}

/* ---------------------------------------------------------------- §8 decoding */

#define HDR_VERSION 1u /* VVVV = 0001, §2.1 */
#define HDR_EXT 0x02u  /* X, §2.1 */
#define HDR_RESERVED 0x01u

fvq_err fvq_decode(const uint8_t *p, size_t n, const fvq_profile *const *profiles, size_t n_profiles,
                   fvq_decoded *out) {
  const fvq_profile *pr = NULL;
  size_t i, body_at = 3, body_len;
  int mode;
  fvq_err e;
  out->n_exts = 0;
  out->n_indices = 0;
  out->body_bytes = 0;
  out->bit_pos = -1;
  /* step 1: sizes */
  if (n == 0) return FVQ_E_EMPTY;
  if (n > FVQ_MAX_PAYLOAD) return FVQ_E_TOO_LARGE;
  if (n < 3) { out->bit_pos = (long)(n * 8); return FVQ_E_TRUNCATED; }
  /* step 2: byte 0 (§2.1) */
  out->bit_pos = 0;
  if (p[0] >> 4 != HDR_VERSION) return FVQ_E_VERSION;
  out->bit_pos = 7;
  if (p[0] & HDR_RESERVED) return FVQ_E_RESERVED;
  mode = (p[0] >> 2) & 3;
  /* step 3: byte 1, the profile reference (§2.2) */
  out->bit_pos = 8;
  for (i = 0; i < n_profiles; i++)
    if (profiles[i]->id == p[1] >> 4) { pr = profiles[i]; break; }
  if (!pr) return FVQ_E_PROFILE_UNKNOWN;
  out->bit_pos = 12;
  if ((pr->sha256[0] >> 4) != (p[1] & 0x0F)) return FVQ_E_PROFILE_HASH;
  out->bit_pos = 4;
  if (mode == 2 && pr->n_tables == 0) return FVQ_E_MODE;
  out->profile = i;
  out->mode = mode;
  /* step 4: extensions (§4) */
  if (p[0] & HDR_EXT) {
    e = read_extensions(p, n, 3, out, &body_at);
    if (e != FVQ_OK) return e;
  }
  body_len = n - body_at;
  /* step 5: mode-0 body length (§5) */
  if (mode == 0 && body_len != pr->body0) {
    out->bit_pos = (long)(n * 8);
    return body_len < pr->body0 ? FVQ_E_TRUNCATED : FVQ_E_TRAILING;
  }
  /* step 6: the check byte (§3) */
  out->bit_pos = 16;
  if (fvq_check_byte(pr->sha256, p, n) != p[2]) return FVQ_E_CHECK;
  /* step 7: the body */
  out->bit_pos = -1;
  e = mode == 0   ? decode_mode0(pr, p + body_at, body_at, out)
      : mode == 3 ? decode_tans(pr, p + body_at, body_len, body_at, out)
                  : decode_range(pr, mode, p + body_at, body_len, body_at, out);
  if (e != FVQ_OK) return e;
  out->n_indices = pr->n_indices;
  out->body_bytes = body_len;
  return FVQ_OK;
}

/* ---------------------------------------------------------------- §7 encoding */

/* Writes the extension block (§4) at out[0..]: the length byte, then the entries in increasing
 * type order; *len is its size (0 without extensions). Checks in the order of
 * spec/CONFORMANCE.md "Precedence of checks": every entry on its own first (type 0, a known type
 * with a bad length: E_EXT_MALFORMED), then a repeated type (E_EXT_DUPLICATE), then N over 255
 * (E_EXT_MALFORMED). */
static fvq_err write_extensions(const fvq_ext *exts, size_t n_exts, uint8_t out[256], size_t *len) {
  unsigned char order[FVQ_MAX_EXTS]; /* entry indexes, sorted by type */
  size_t i, j, at = 1, total = 0;
  *len = 0;
  if (n_exts == 0) return FVQ_OK;
  if (n_exts > FVQ_MAX_EXTS) return FVQ_E_EXT_MALFORMED;
  for (i = 0; i < n_exts; i++) { /* each entry on its own */
    unsigned lo, hi;
    ext_length_range(exts[i].type, &lo, &hi);
    if (exts[i].type == 0x00) return FVQ_E_EXT_MALFORMED;
    if (ext_known(exts[i].type) && (exts[i].len < lo || exts[i].len > hi)) return FVQ_E_EXT_MALFORMED;
    total += 2 + (size_t)exts[i].len;
  }
  for (i = 0; i < n_exts; i++) { /* insertion sort of the entries by type */
    for (j = i; j > 0 && exts[order[j - 1]].type > exts[i].type; j--) order[j] = order[j - 1];
    order[j] = (unsigned char)i;
  }
  for (i = 1; i < n_exts; i++)
    if (exts[order[i - 1]].type == exts[order[i]].type) return FVQ_E_EXT_DUPLICATE;
  if (total > 255) return FVQ_E_EXT_MALFORMED; /* N is one byte */
  for (i = 0; i < n_exts; i++) {
    const fvq_ext *x = &exts[order[i]];
    out[at] = x->type;
    out[at + 1] = x->len;
    if (x->len) memcpy(out + at + 2, x->value, x->len);
    at += 2 + (size_t)x->len;
  }
  out[0] = (uint8_t)(at - 1);
  *len = at;
  return FVQ_OK;
}

fvq_err fvq_encode(const fvq_profile *pr, const uint16_t *grid, size_t n, int mode,
                   const fvq_ext *exts, size_t n_exts, uint8_t *out, size_t cap, size_t *out_len) {
  uint8_t body[RC_SCRATCH], ext_block[256];
  size_t i, body_len = 0, ext_len, total;
  int coded;
  fvq_err e;
  /* the grid: its length and every index below K_g (E_GRID, §9) */
  if (n != pr->n_indices) return FVQ_E_GRID;
  for (i = 0; i < n; i++)
    if (grid[i] >= pr->k[i % pr->planes]) return FVQ_E_GRID;
  if (mode < FVQ_MODE_AUTO_FAST || mode > 3) return FVQ_E_MODE;
  if (mode == 2 && pr->n_tables == 0) return FVQ_E_MODE;
  /* §7 auto: the entropy-coded mode (3 when asked, 2 when asked and the profile has contexts,
   * else 1), then mode 0 when that body is longer than B0 */
  if (mode != 0) {
    coded = mode == 3 || mode == FVQ_MODE_AUTO_FAST                           ? 3
            : mode == 2 || (mode == FVQ_MODE_AUTO_CONTEXTS && pr->n_tables > 0) ? 2
                                                                                 : 1;
    body_len = coded == 3 ? encode_tans(pr, grid, body, sizeof body) : encode_range(pr, coded, grid, body);
    mode = mode >= 0 || body_len <= pr->body0 ? coded : 0;
  }
  if (mode == 0) { /* §5 */
    size_t pos = 0;
    memset(body, 0, pr->body0);
    for (i = 0; i < n; i++) {
      write_bits(body, pos, grid[i], pr->bits[i % pr->planes]);
      pos += pr->bits[i % pr->planes];
    }
    body_len = pr->body0;
  }
  e = write_extensions(exts, n_exts, ext_block, &ext_len);
  if (e != FVQ_OK) return e;
  total = 3 + ext_len + body_len;
  if (total > pr->max_bytes || total > cap) return FVQ_E_OVER_BOUND; /* §7 step 3 */
  /* §2 header */
  out[0] = (uint8_t)(HDR_VERSION << 4 | (unsigned)mode << 2 | (ext_len ? HDR_EXT : 0));
  out[1] = (uint8_t)(pr->id << 4 | pr->sha256[0] >> 4);
  memcpy(out + 3, ext_block, ext_len);
  memcpy(out + 3 + ext_len, body, body_len);
  out[2] = fvq_check_byte(pr->sha256, out, total); /* §3 */
  *out_len = total;
  return FVQ_OK;
}
