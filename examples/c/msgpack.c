/*
 * msgpack.c - the MessagePack reader of §10.2 (see msgpack.h). Every read checks the bytes left
 * before it consumes them; a length that runs past the end is a format error. Containers nest at
 * most MP_MAX_DEPTH deep. Ext types and the unused byte 0xC1 are rejected.
 */
#include "msgpack.h"

#include <stdlib.h>
#include <string.h>

static uint64_t be_read(const uint8_t *p, int n) {
  uint64_t v = 0;
  int i;
  for (i = 0; i < n; i++) v = v << 8 | p[i];
  return v;
}

/* Reads `n` bytes of payload (a length or a value); 0 when they run past the end. */
static int mp_take(mp_reader *r, size_t n, const uint8_t **p) {
  if (n > r->len - r->pos) return 0;
  *p = r->buf + r->pos;
  r->pos += n;
  return 1;
}

static int mp_len(mp_reader *r, int width, uint64_t *n) {
  const uint8_t *p;
  if (!mp_take(r, (size_t)width, &p)) return 0;
  *n = be_read(p, width);
  return 1;
}

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF. */
static int utf8_valid(const uint8_t *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = s[i];
    size_t extra, j;
    uint32_t cp;
    if (b < 0x80) { i++; continue; }
    if (b >= 0xC2 && b <= 0xDF) { extra = 1; cp = b & 0x1F; }
    else if (b >= 0xE0 && b <= 0xEF) { extra = 2; cp = b & 0x0F; }
    else if (b >= 0xF0 && b <= 0xF4) { extra = 3; cp = b & 0x07; }
    else return 0;
    if (n - i <= extra) return 0;
    for (j = 1; j <= extra; j++) {
      if ((s[i + j] & 0xC0) != 0x80) return 0;
      cp = cp << 6 | (s[i + j] & 0x3F);
    }
    if (extra == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
    if (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
    i += extra + 1;
  }
  return 1;
}

/* Reads one token. Returns 0 on malformed input (bad type byte, truncation, bad UTF-8). Integers
 * are limited to +-(2^53 - 1), the range every implementation can hold exactly in a double. */
int fvq_mp_next(mp_reader *r, mp_token *t) {
  const uint8_t *p;
  uint8_t b;
  uint64_t n = 0;
  if (!mp_take(r, 1, &p)) return 0;
  b = *p;
  memset(t, 0, sizeof *t);
  if (b <= 0x7F) { t->type = MP_UINT; t->u = b; return 1; }                 /* positive fixint */
  if (b >= 0xE0) { t->type = MP_NINT; t->i = (int64_t)b - 256; return 1; }  /* negative fixint */
  if (b <= 0x8F) { t->type = MP_MAP; t->u = b & 0x0F; return 1; }           /* fixmap */
  if (b <= 0x9F) { t->type = MP_ARRAY; t->u = b & 0x0F; return 1; }         /* fixarray */
  if (b <= 0xBF) { n = b & 0x1F; goto str; }                                /* fixstr */
  switch (b) {
  case 0xC0: t->type = MP_NIL; return 1;
  case 0xC2: case 0xC3: t->type = MP_BOOL; t->u = b & 1; return 1;
  case 0xC4: case 0xC5: case 0xC6:                                          /* bin 8/16/32 */
    if (!mp_len(r, 1 << (b - 0xC4), &n)) return 0;
    t->type = MP_BIN; t->n = (size_t)n;
    return n <= r->len - r->pos && mp_take(r, (size_t)n, &t->bytes);
  case 0xCA: case 0xCB: {                                                   /* float 32/64 */
    uint64_t raw;
    if (!mp_len(r, b == 0xCA ? 4 : 8, &raw)) return 0;
    t->type = MP_FLOAT;
    if (b == 0xCA) { uint32_t u32 = (uint32_t)raw; float f; memcpy(&f, &u32, 4); t->f = f; }
    else memcpy(&t->f, &raw, 8);
    return 1;
  }
  case 0xCC: case 0xCD: case 0xCE: case 0xCF:                               /* uint 8..64 */
    if (!mp_len(r, 1 << (b - 0xCC), &t->u)) return 0;
    t->type = MP_UINT;
    return t->u <= 0x1FFFFFFFFFFFFFull;
  case 0xD0: case 0xD1: case 0xD2: case 0xD3: {                             /* int 8..64 */
    int width = 1 << (b - 0xD0);
    uint64_t raw, sign;
    if (!mp_len(r, width, &raw)) return 0;
    sign = (uint64_t)1 << (8 * width - 1);
    if (raw & sign) {                                   /* negative: two's complement */
      uint64_t mag = (width == 8 ? 0 : sign << 1) - raw; /* 2^(8*width) - raw, mod 2^64 */
      if (mag > 0x1FFFFFFFFFFFFFull) return 0;
      t->type = MP_NINT; t->i = -(int64_t)mag;
    } else {
      if (raw > 0x1FFFFFFFFFFFFFull) return 0;
      t->type = MP_UINT; t->u = raw;
    }
    return 1;
  }
  case 0xD9: case 0xDA: case 0xDB:                                          /* str 8/16/32 */
    if (!mp_len(r, 1 << (b - 0xD9), &n)) return 0;
    goto str;
  case 0xDC: case 0xDD:                                                     /* array 16/32 */
    t->type = MP_ARRAY;
    return mp_len(r, b == 0xDC ? 2 : 4, &t->u);
  case 0xDE: case 0xDF:                                                     /* map 16/32 */
    t->type = MP_MAP;
    return mp_len(r, b == 0xDE ? 2 : 4, &t->u);
  default:                                        /* 0xC1 never used; 0xC7..C9, 0xD4..D8 ext */
    return 0;
  }
str:
  t->type = MP_STR; t->n = (size_t)n;
  if (n > r->len - r->pos || !mp_take(r, (size_t)n, &t->bytes)) return 0;
  return utf8_valid(t->bytes, t->n);
}

int fvq_mp_key_is(const mp_token *t, const char *key) {
  size_t n = strlen(key);
  return t->type == MP_STR && t->n == n && memcmp(t->bytes, key, n) == 0;
}

int fvq_mp_skip(mp_reader *r, int depth) {
  mp_token t;
  return fvq_mp_next(r, &t) && fvq_mp_skip_rest(r, &t, depth);
}

/* Map keys as spans, for the repeated-key check: sorted, then neighbours compared. */
typedef struct {
  const uint8_t *p;
  size_t n;
} mp_span;

static int span_cmp(const void *a, const void *b) {
  const mp_span *x = a, *y = b;
  size_t n = x->n < y->n ? x->n : y->n;
  int c = memcmp(x->p, y->p, n);
  return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Maps must have str keys, none repeated; arrays and maps count toward the depth. */
int fvq_mp_skip_rest(mp_reader *r, const mp_token *t, int depth) {
  uint64_t i;
  mp_span small[32], *keys;
  int ok = 1;
  if (t->type != MP_ARRAY && t->type != MP_MAP) return 1;
  if (depth + 1 > MP_MAX_DEPTH) return 0;
  /* each element takes at least one byte: a count beyond the bytes left cannot be right */
  if (t->u > (uint64_t)(r->len - r->pos)) return 0;
  if (t->type == MP_ARRAY) {
    for (i = 0; i < t->u; i++)
      if (!fvq_mp_skip(r, depth + 1)) return 0;
    return 1;
  }
  keys = t->u <= 32 ? small : malloc((size_t)t->u * sizeof *keys);
  if (!keys) return 0;
  for (i = 0; ok && i < t->u; i++) {
    mp_token k;
    ok = fvq_mp_next(r, &k) && k.type == MP_STR && fvq_mp_skip(r, depth + 1);
    keys[i].p = k.bytes;
    keys[i].n = k.n;
  }
  if (ok && t->u > 1) {
    qsort(keys, (size_t)t->u, sizeof *keys, span_cmp);
    for (i = 1; ok && i < t->u; i++) ok = span_cmp(&keys[i - 1], &keys[i]) != 0;
  }
  if (keys != small) free(keys);
  return ok;
}

int fvq_mp_get(const mp_map *m, const char *key, mp_value *v) {
  uint64_t i;
  mp_reader r;
  r.buf = m->buf; r.len = m->len; r.pos = m->pos;
  for (i = 0; i < m->count; i++) {
    mp_token k;
    if (!fvq_mp_next(&r, &k)) return 0;
    if (fvq_mp_key_is(&k, key)) {
      v->r = r;
      return fvq_mp_next(&v->r, &v->t);
    }
    if (!fvq_mp_skip(&r, 0)) return 0;
  }
  return 0;
}

mp_map fvq_mp_as_map(const mp_value *v) {
  mp_map m;
  m.buf = v->r.buf; m.len = v->r.len; m.pos = v->r.pos; m.count = v->t.u;
  return m;
}

/* Walks a whole buffer as one MessagePack value: 1 when it is well formed and fills the buffer. */
int fvq_mp_walk(const uint8_t *buf, size_t n, mp_token *first, mp_reader *after_first) {
  mp_reader r;
  r.buf = buf; r.len = n; r.pos = 0;
  if (!fvq_mp_next(&r, first)) return 0;
  *after_first = r;
  return fvq_mp_skip_rest(&r, first, 0) && r.pos == n;
}
