/*
 * profile.c - the profile file (§10, §14) and the batch envelope (§11).
 *
 * Two passes. First the whole file, then the whole body, is walked as MessagePack (structure,
 * depth, str keys without repeats, UTF-8): any defect there is E_PROFILE_FORMAT. Then fields are
 * looked up by key and checked in the order of the §10.2 table, limits (§14) before anything
 * sized by them is allocated.
 */
#include "facevq.h"
#include "msgpack.h"

#include <stdlib.h>
#include <string.h>

#define PROFILE_MAX_FILE (64u * 1024u * 1024u) /* §14 */
#define MAX_TABLES 1024                        /* §10.3 */
#define MAX_LAYERS 16                          /* §14 */
#define MAX_DENSE (1u << 24)                   /* §14 */
#define PROB_SCALE 32768u                      /* §6.1: 2^15 */

#define F FVQ_E_PROFILE_FORMAT
#define TRY(x) do { fvq_err e_ = (x); if (e_ != FVQ_OK) return e_; } while (0)

/* Typed lookups: a missing key or another type is E_PROFILE_FORMAT. */
static fvq_err get_type(const mp_map *m, const char *key, int type, mp_value *v) {
  return fvq_mp_get(m, key, v) && v->t.type == type ? FVQ_OK : F;
}

static fvq_err get_uint(const mp_map *m, const char *key, uint64_t *u) {
  mp_value v;
  TRY(get_type(m, key, MP_UINT, &v));
  *u = v.t.u;
  return FVQ_OK;
}

/* §10.2 floats: float 32/64; an integer encoding is accepted as the same number. */
static int is_number(const mp_token *t) {
  return t->type == MP_FLOAT || t->type == MP_UINT || t->type == MP_NINT;
}

static fvq_err get_number(const mp_map *m, const char *key) {
  mp_value v;
  return fvq_mp_get(m, key, &v) && is_number(&v.t) ? FVQ_OK : F;
}

static fvq_err get_bytes(const mp_map *m, const char *key, int type, const uint8_t **p, size_t *n) {
  mp_value v;
  TRY(get_type(m, key, type, &v));
  *p = v.t.bytes;
  *n = v.t.n;
  return FVQ_OK;
}

static fvq_err get_map(const mp_map *m, const char *key, mp_map *out) {
  mp_value v;
  TRY(get_type(m, key, MP_MAP, &v));
  *out = fvq_mp_as_map(&v);
  return FVQ_OK;
}

/* An array: its count and a reader at its first element. */
static fvq_err get_array(const mp_map *m, const char *key, mp_reader *r, uint64_t *count) {
  mp_value v;
  TRY(get_type(m, key, MP_ARRAY, &v));
  *r = v.r;
  *count = v.t.u;
  return FVQ_OK;
}

static int has_key(const mp_map *m, const char *key) {
  mp_value v;
  return fvq_mp_get(m, key, &v);
}

static uint32_t le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }

/* §6.1: a table bin for a plane of `k` entries. Not a bin, or an odd byte length (not u16 values),
 * is a format error; the wrong entry count, a zero entry or a wrong sum a table error. */
static fvq_err check_table(const mp_token *t, uint32_t k) {
  size_t s;
  uint32_t sum = 0;
  if (t->type != MP_BIN || t->n % 2 != 0) return F;
  if (t->n / 2 != k) return FVQ_E_PROFILE_TABLE;
  for (s = 0; s < k; s++) {
    uint32_t f = le16(t->bytes + 2 * s);
    if (f == 0) return FVQ_E_PROFILE_TABLE;
    sum += f;
  }
  return sum == PROB_SCALE ? FVQ_OK : FVQ_E_PROFILE_TABLE;
}

/* What the first pass over the body found, before allocation. */
typedef struct {
  const uint8_t *prior[FVQ_MAX_PLANES]; /* table bins, LE u16 */
  uint32_t n_tables;
  const uint8_t *plane;                 /* context.plane: n_tables bytes */
  const uint8_t *map;                   /* context.map: H*W*G LE u16 */
  mp_reader tables;                     /* at context.tables[0] */
  uint64_t table_words;                 /* sum of K over the context tables */
} profile_scan;

/* §10.2 grid, §14 limits. */
static fvq_err check_grid(const mp_map *body, fvq_profile *p) {
  mp_map grid;
  mp_reader ks, dims;
  uint64_t h, w, nk, nd, g, bits = 0;
  TRY(get_map(body, "grid", &grid));
  TRY(get_uint(&grid, "h", &h));
  if (h < 1 || h > 32) return FVQ_E_PROFILE_LIMIT;
  TRY(get_uint(&grid, "w", &w));
  if (w < 1 || w > 32) return FVQ_E_PROFILE_LIMIT;
  TRY(get_array(&grid, "k", &ks, &nk));
  TRY(get_array(&grid, "dim", &dims, &nd));
  if (nk < 1 || nk > FVQ_MAX_PLANES) return FVQ_E_PROFILE_LIMIT;
  if (nd != nk) return F;
  if (h * w * nk > FVQ_MAX_INDICES) return FVQ_E_PROFILE_LIMIT;
  p->h = (uint32_t)h; p->w = (uint32_t)w; p->planes = (uint32_t)nk;
  p->n_indices = (uint32_t)(h * w * nk);
  for (g = 0; g < nk; g++) {
    mp_token k, d;
    if (!fvq_mp_next(&ks, &k) || !fvq_mp_skip_rest(&ks, &k, 0) || k.type != MP_UINT) return F;
    if (!fvq_mp_next(&dims, &d) || !fvq_mp_skip_rest(&dims, &d, 0) || d.type != MP_UINT) return F;
    if (k.u < 2 || k.u > 4096) return FVQ_E_PROFILE_LIMIT;
    if (d.u < 1 || d.u > 256) return FVQ_E_PROFILE_LIMIT;
    p->k[g] = (uint32_t)k.u;
    p->dim[g] = (uint32_t)d.u;
    p->bits[g] = 0;
    while ((1u << p->bits[g]) < p->k[g]) p->bits[g]++; /* §1 ceil(log2 K) */
    bits += p->bits[g];
  }
  p->body0 = (uint32_t)((h * w * bits + 7) / 8); /* §1 B0 */
  return FVQ_OK;
}

/* §10.3 contexts, in the order of spec/CONFORMANCE.md "Precedence of checks". */
static fvq_err check_context(const mp_map *body, const fvq_profile *p, profile_scan *sc) {
  mp_map ctx;
  mp_reader tr;
  uint64_t T, t;
  size_t plane_n, map_n, n;
  sc->n_tables = 0;
  if (!has_key(body, "context")) return FVQ_OK;
  TRY(get_map(body, "context", &ctx));
  TRY(get_array(&ctx, "tables", &tr, &T));
  TRY(get_bytes(&ctx, "plane", MP_BIN, &sc->plane, &plane_n));
  TRY(get_bytes(&ctx, "map", MP_BIN, &sc->map, &map_n));
  if (T > MAX_TABLES) return FVQ_E_PROFILE_LIMIT;
  if (T == 0) return FVQ_E_PROFILE_TABLE;
  if (plane_n != T) return FVQ_E_PROFILE_TABLE;
  if (map_n % 2 != 0) return F; /* not u16 values */
  if (map_n != 2 * (size_t)p->n_indices) return FVQ_E_PROFILE_TABLE;
  sc->tables = tr;
  sc->table_words = 0;
  for (t = 0; t < T; t++) {
    mp_token tb;
    uint32_t g = sc->plane[t];
    if (g >= p->planes) return FVQ_E_PROFILE_TABLE;
    if (!fvq_mp_next(&tr, &tb) || !fvq_mp_skip_rest(&tr, &tb, 0)) return F;
    TRY(check_table(&tb, p->k[g]));
    sc->table_words += p->k[g];
  }
  for (n = 0; n < p->n_indices; n++) { /* §6.6: map[n] is a table of plane n mod G */
    uint32_t tn = le16(sc->map + 2 * n);
    if (tn >= T) return FVQ_E_PROFILE_TABLE;
    if (sc->plane[tn] != n % p->planes) return FVQ_E_PROFILE_TABLE;
  }
  sc->n_tables = (uint32_t)T;
  return FVQ_OK;
}

/* §10.4: layer fields, sizes chained from the head's input, head.dim the final size. */
static fvq_err check_head(const mp_map *body, uint64_t size) {
  mp_map head;
  mp_reader lr;
  uint64_t dim, n, i;
  TRY(get_map(body, "head", &head));
  TRY(get_uint(&head, "dim", &dim));
  TRY(get_array(&head, "layers", &lr, &n));
  if (n > MAX_LAYERS) return FVQ_E_PROFILE_LIMIT;
  for (i = 0; i < n; i++) {
    mp_value v;
    mp_map layer;
    const uint8_t *op, *b;
    size_t op_n, bn;
    if (!fvq_mp_next(&lr, &v.t)) return F;
    v.r = lr;
    if (!fvq_mp_skip_rest(&lr, &v.t, 0) || v.t.type != MP_MAP) return F;
    layer = fvq_mp_as_map(&v);
    TRY(get_bytes(&layer, "op", MP_STR, &op, &op_n));
    if (op_n == 5 && memcmp(op, "dense", 5) == 0) {
      uint64_t in, out;
      TRY(get_uint(&layer, "in", &in));
      TRY(get_uint(&layer, "out", &out));
      if (in != size) return F;
      if (out < 1 || out > MAX_DENSE) return FVQ_E_PROFILE_LIMIT;
      if (in < 1 || in * out > MAX_DENSE) return FVQ_E_PROFILE_LIMIT;
      TRY(get_bytes(&layer, "weight", MP_BIN, &b, &bn));
      if (bn != 4 * in * out) return F;
      TRY(get_bytes(&layer, "bias", MP_BIN, &b, &bn));
      if (bn != 4 * out) return F;
      size = out;
    } else if (op_n == 5 && memcmp(op, "prelu", 5) == 0) {
      TRY(get_bytes(&layer, "alpha", MP_BIN, &b, &bn));
      if (bn != 4 * size) return F;
    } else if (!(op_n == 4 && memcmp(op, "relu", 4) == 0) &&
               !(op_n == 6 && memcmp(op, "l2norm", 6) == 0)) {
      return F;
    }
  }
  return dim == size ? FVQ_OK : F;
}

/* Every check of §10.2 and §14 on a walked body, in the order of the §10.2 table. */
static fvq_err check_body(const mp_map *body, fvq_profile *p, profile_scan *sc) {
  const uint8_t *s;
  size_t n, g;
  uint64_t u, count, input = 0;
  mp_reader arr;
  mp_map m;
  TRY(get_bytes(body, "format", MP_STR, &s, &n));
  if (n != 14 || memcmp(s, "facevq-profile", 14) != 0) return F;
  TRY(get_uint(body, "version", &u));
  if (u != 1) return F;
  TRY(get_uint(body, "id", &u));
  if (u > 15) return F;
  p->id = (uint8_t)u;
  TRY(get_bytes(body, "name", MP_STR, &s, &n));
  if (n > 32) return F;
  memcpy(p->name, s, n);
  p->name[n] = 0;
  TRY(check_grid(body, p));
  TRY(get_uint(body, "maxBytes", &u));
  if (3 + (uint64_t)p->body0 > u || u > FVQ_MAX_PAYLOAD) return FVQ_E_PROFILE_LIMIT; /* §7 */
  p->max_bytes = u;
  TRY(get_array(body, "codebooks", &arr, &count)); /* §10.2: K_g * dim_g f32 */
  if (count != p->planes) return F;
  for (g = 0; g < p->planes; g++) {
    mp_token t;
    if (!fvq_mp_next(&arr, &t) || !fvq_mp_skip_rest(&arr, &t, 0)) return F;
    if (t.type != MP_BIN || t.n != 4 * (size_t)p->k[g] * p->dim[g]) return F;
    input += (uint64_t)p->h * p->w * p->dim[g];
  }
  TRY(get_array(body, "prior", &arr, &count)); /* §6.1 */
  if (count != p->planes) return F;
  for (g = 0; g < p->planes; g++) {
    mp_token t;
    if (!fvq_mp_next(&arr, &t) || !fvq_mp_skip_rest(&arr, &t, 0)) return F;
    TRY(check_table(&t, p->k[g]));
    sc->prior[g] = t.bytes;
  }
  TRY(check_context(body, p, sc));
  TRY(check_head(body, input));
  TRY(get_map(body, "thresholds", &m));
  TRY(get_number(&m, "far1e2"));
  TRY(get_number(&m, "far1e3"));
  TRY(get_number(&m, "far1e4"));
  TRY(get_map(body, "crop", &m));
  TRY(get_uint(&m, "size", &u));
  TRY(get_uint(&m, "channels", &u));
  if (u != 3) return F;
  TRY(get_array(&m, "template", &arr, &count));
  if (count != 10) return F;
  for (g = 0; g < 10; g++) {
    mp_token t;
    if (!fvq_mp_next(&arr, &t) || !fvq_mp_skip_rest(&arr, &t, 0) || !is_number(&t)) return F;
  }
  if (has_key(body, "encoder")) {
    TRY(get_map(body, "encoder", &m));
    TRY(get_bytes(&m, "file", MP_STR, &s, &n));
    TRY(get_bytes(&m, "sha256", MP_BIN, &s, &n));
    if (n != 32) return F;
    TRY(get_number(&m, "mean"));
    TRY(get_number(&m, "std"));
  }
  return get_map(body, "meta", &m);
}

/* Copies a table bin into freq (LE u16) and fills cum[0..K]. */
static void build_table(fvq_table *tb, const uint8_t *bin, uint32_t k, uint16_t *freq, uint32_t *cum) {
  uint32_t s, c = 0;
  for (s = 0; s < k; s++) {
    freq[s] = (uint16_t)le16(bin + 2 * s);
    cum[s] = c;
    c += freq[s];
  }
  cum[k] = c;
  tb->k = k;
  tb->freq = freq;
  tb->cum = cum;
}

fvq_err fvq_profile_read(const uint8_t *file, size_t n, fvq_profile *p) {
  mp_token t;
  mp_reader r;
  mp_map outer, body;
  const uint8_t *bytes, *digest;
  size_t body_n, digest_n, words = 0, g, i, tans_at;
  profile_scan sc;
  uint8_t actual[32];
  char *mem;
  fvq_table *tables;
  uint32_t *cum;
  uint16_t *freq, *map;
  memset(p, 0, sizeof *p);
  memset(&sc, 0, sizeof sc);
  if (n > PROFILE_MAX_FILE) return FVQ_E_PROFILE_LIMIT;
  /* §10: a map of exactly `profile` (bin) and `sha256` (bin 32) */
  if (!fvq_mp_walk(file, n, &t, &r) || t.type != MP_MAP || t.u != 2) return F;
  outer.buf = file; outer.len = n; outer.pos = r.pos; outer.count = t.u;
  TRY(get_bytes(&outer, "profile", MP_BIN, &bytes, &body_n));
  TRY(get_bytes(&outer, "sha256", MP_BIN, &digest, &digest_n));
  if (digest_n != 32) return F;
  /* §10.1 */
  fvq_sha256(bytes, body_n, actual);
  if (memcmp(actual, digest, 32) != 0) return FVQ_E_PROFILE_DIGEST;
  memcpy(p->sha256, actual, 32);
  /* §10.2 */
  if (!fvq_mp_walk(bytes, body_n, &t, &r) || t.type != MP_MAP) return F;
  body.buf = bytes; body.len = body_n; body.pos = r.pos; body.count = t.u;
  TRY(check_body(&body, p, &sc));
  /* everything is valid: one allocation for the tables */
  for (g = 0; g < p->planes; g++) words += p->k[g];
  words += (size_t)sc.table_words;
  tans_at = (sc.n_tables * sizeof(fvq_table) + (words + p->planes + sc.n_tables) * sizeof(uint32_t) +
             (words + p->n_indices) * sizeof(uint16_t) + 7) / 8 * 8;
  mem = malloc(tans_at + fvq_tans_bytes(p));
  if (!mem) return FVQ_E_NOMEM;
  p->storage = mem;
  tables = (fvq_table *)mem;
  cum = (uint32_t *)(mem + sc.n_tables * sizeof(fvq_table));
  freq = (uint16_t *)(cum + words + p->planes + sc.n_tables);
  for (g = 0; g < p->planes; g++) {
    build_table(&p->prior[g], sc.prior[g], p->k[g], freq, cum);
    freq += p->k[g];
    cum += p->k[g] + 1;
  }
  for (i = 0; i < sc.n_tables; i++) {
    uint32_t k = p->k[sc.plane[i]];
    mp_token tb;
    fvq_mp_next(&sc.tables, &tb); /* checked above */
    build_table(&tables[i], tb.bytes, k, freq, cum);
    freq += k;
    cum += k + 1;
  }
  map = freq;
  for (i = 0; sc.n_tables && i < p->n_indices; i++) map[i] = (uint16_t)le16(sc.map + 2 * i);
  p->n_tables = sc.n_tables;
  p->tables = sc.n_tables ? tables : NULL;
  p->map = sc.n_tables ? map : NULL;
  fvq_tans_build(p, mem + tans_at); /* §6.7, from the priors above */
  return FVQ_OK;
}

void fvq_profile_free(fvq_profile *p) {
  free(p->storage);
  p->storage = NULL;
}

#undef F

/* ---------------------------------------------------------------- §11 batch envelope */

static fvq_err batch_item(mp_reader *r, fvq_batch_item *items, size_t i) {
  mp_value v;
  mp_map m;
  size_t j;
  if (!fvq_mp_next(r, &v.t)) return FVQ_E_BATCH_FORMAT;
  v.r = *r;
  if (!fvq_mp_skip_rest(r, &v.t, 0) || v.t.type != MP_MAP) return FVQ_E_BATCH_FORMAT;
  m = fvq_mp_as_map(&v);
  if (!fvq_mp_get(&m, "id", &v) || v.t.type != MP_STR) return FVQ_E_BATCH_FORMAT;
  items[i].id = v.t.bytes;
  items[i].id_len = v.t.n;
  if (!fvq_mp_get(&m, "payload", &v) || v.t.type != MP_BIN) return FVQ_E_BATCH_FORMAT;
  items[i].payload = v.t.bytes;
  items[i].payload_len = v.t.n;
  if (items[i].id_len == 0) return FVQ_E_BATCH_FORMAT;
  if (items[i].id_len > FVQ_MAX_BATCH_ID) return FVQ_E_BATCH_LIMIT;
  if (items[i].payload_len == 0) return FVQ_E_BATCH_FORMAT;
  if (items[i].payload_len > FVQ_MAX_PAYLOAD) return FVQ_E_TOO_LARGE;
  for (j = 0; j < i; j++) /* ids unique in the batch; at most 1000 x 1000 short compares */
    if (items[j].id_len == items[i].id_len && memcmp(items[j].id, items[i].id, items[i].id_len) == 0)
      return FVQ_E_BATCH_FORMAT;
  return FVQ_OK;
}

fvq_err fvq_batch_read(const uint8_t *buf, size_t n, fvq_batch_item items[FVQ_MAX_BATCH], size_t *count) {
  mp_token t;
  mp_reader r;
  mp_map root;
  mp_value v;
  uint64_t i;
  fvq_err e;
  *count = 0;
  if (!fvq_mp_walk(buf, n, &t, &r) || t.type != MP_MAP) return FVQ_E_BATCH_FORMAT;
  root.buf = buf; root.len = n; root.pos = r.pos; root.count = t.u;
  if (!fvq_mp_get(&root, "v", &v) || v.t.type != MP_UINT || v.t.u != 1) return FVQ_E_BATCH_FORMAT;
  if (!fvq_mp_get(&root, "items", &v) || v.t.type != MP_ARRAY) return FVQ_E_BATCH_FORMAT;
  if (v.t.u == 0) return FVQ_E_BATCH_FORMAT;
  if (v.t.u > FVQ_MAX_BATCH) return FVQ_E_BATCH_LIMIT;
  for (i = 0; i < v.t.u; i++)
    if ((e = batch_item(&v.r, items, (size_t)i)) != FVQ_OK) return e;
  *count = (size_t)v.t.u;
  return FVQ_OK;
}
