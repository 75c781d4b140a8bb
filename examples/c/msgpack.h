/*
 * msgpack.h - the small MessagePack reader behind the profile file (§10.2) and the batch envelope
 * (§11). Internal to this implementation; the codec API is facevq.h.
 *
 * Reading happens in two passes: fvq_mp_walk() checks a whole buffer (structure, lengths, depth,
 * str keys without repeats, UTF-8, no ext types), then fvq_mp_get() looks keys up in maps already
 * walked, so the second pass cannot run out of bounds.
 */
#ifndef FACEVQ_MSGPACK_H
#define FACEVQ_MSGPACK_H

#include <stddef.h>
#include <stdint.h>

#define MP_MAX_DEPTH 8 /* §10.2: the outermost container is depth 1 */

/* A cursor over one buffer. */
typedef struct {
  const uint8_t *buf;
  size_t len, pos;
} mp_reader;

/* MessagePack type families, as the reader reports them. */
enum { MP_NIL, MP_BOOL, MP_UINT, MP_NINT, MP_FLOAT, MP_STR, MP_BIN, MP_ARRAY, MP_MAP };

/* One token: a scalar, or the header of a str/bin (bytes) or an array/map (count). */
typedef struct {
  int type;
  uint64_t u;           /* MP_UINT, MP_BOOL; the count of MP_ARRAY and MP_MAP */
  int64_t i;            /* MP_NINT */
  double f;             /* MP_FLOAT */
  const uint8_t *bytes; /* MP_STR, MP_BIN */
  size_t n;             /* their length */
} mp_token;

/* A walked map: its entries start at `pos`. */
typedef struct {
  const uint8_t *buf;
  size_t len, pos;
  uint64_t count;
} mp_map;

/* A walked value: `r` is positioned after its first token `t`. */
typedef struct {
  mp_reader r;
  mp_token t;
} mp_value;

/* Reads one token; 0 on a bad type byte, a length past the end, bad UTF-8 or an integer beyond
 * +-(2^53 - 1). */
int fvq_mp_next(mp_reader *r, mp_token *t);
/* Skips the rest of the value whose first token is `t`, held at nesting `depth`. */
int fvq_mp_skip_rest(mp_reader *r, const mp_token *t, int depth);
/* Skips one whole value held at nesting `depth`. */
int fvq_mp_skip(mp_reader *r, int depth);
/* 1 when `t` is the str `key`. */
int fvq_mp_key_is(const mp_token *t, const char *key);
/* Walks `buf` as exactly one value: its first token and a reader just after that token. */
int fvq_mp_walk(const uint8_t *buf, size_t n, mp_token *first, mp_reader *after_first);
/* The value of `key` in a walked map; 0 when absent. */
int fvq_mp_get(const mp_map *m, const char *key, mp_value *v);
/* The map whose header token is `v->t`. */
mp_map fvq_mp_as_map(const mp_value *v);

#endif
