/*
 * conformance_adapter.c - speaks the facevq conformance line protocol (spec/CONFORMANCE.md) on
 * stdin/stdout over the C implementation in facevq.c.
 *
 * One JSON request per line in, one JSON answer per line out:
 *   {"op":"decode","profile":PATH|[PATH...],"hex":HEX}
 *       -> {"ok":true,"mode":M,"grid":[...],"extensions":{...}} | {"ok":false,"error":"E_..."}
 *   {"op":"encode","profile":PATH,"grid":[...],"mode":0|1|2|3|"auto","fast":B,"extensions":{...}}
 *       -> {"ok":true,"hex":HEX} | {"ok":false,"error":"E_..."}
 *   {"op":"profile","hex":HEX} -> {"ok":true,"id":N,"name":S,"sha256":HEX} | {"ok":false,...}
 *   {"op":"batch","profile":PATH|[PATH...],"hex":HEX}
 *       -> {"ok":true,"items":[{"id":S,"ok":true,"mode":M,"grid":[...],"extensions":{...}}
 *                             | {"id":S,"ok":false,"error":"E_..."}, ...]} | {"ok":false,...}
 * Anything else: {"ok":false,"error":"unsupported"}.
 *
 * The adapter is test tooling, not firmware: it allocates freely. The codec it wraps does not.
 */
#include "facevq.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- a small JSON reader */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct json {
  int type;
  double num;          /* J_NUM, J_BOOL */
  char *str;           /* J_STR (NUL-terminated, no embedded NULs expected) */
  size_t n;            /* J_ARR, J_OBJ: children */
  struct json *items;
  char **keys;         /* J_OBJ */
} json;

typedef struct {
  const char *s;
  size_t pos, depth;
} json_parser;

static void json_free(json *j) {
  size_t i;
  if (!j) return;
  free(j->str);
  for (i = 0; i < j->n; i++) {
    json_free(&j->items[i]);
    if (j->keys) free(j->keys[i]);
  }
  free(j->items);
  free(j->keys);
}

static void ws(json_parser *p) {
  while (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\r' || p->s[p->pos] == '\n') p->pos++;
}

static int parse_value(json_parser *p, json *out);

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* A JSON string at p->s[p->pos] == '"'; \u escapes become UTF-8 (surrogate pairs joined). */
static int parse_string(json_parser *p, char **out) {
  size_t cap = 16, len = 0;
  char *buf = malloc(cap);
  if (!buf) return 0;
  p->pos++;
  for (;;) {
    unsigned char c = (unsigned char)p->s[p->pos++];
    unsigned long cp;
    if (len + 5 >= cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) { free(buf); return 0; }
      buf = nb;
    }
    if (c == '"') break;
    if (c == 0 || c < 0x20) { free(buf); return 0; }
    if (c != '\\') { buf[len++] = (char)c; continue; }
    c = (unsigned char)p->s[p->pos++];
    switch (c) {
    case '"': case '\\': case '/': buf[len++] = (char)c; continue;
    case 'b': buf[len++] = '\b'; continue;
    case 'f': buf[len++] = '\f'; continue;
    case 'n': buf[len++] = '\n'; continue;
    case 'r': buf[len++] = '\r'; continue;
    case 't': buf[len++] = '\t'; continue;
    case 'u': break;
    default: free(buf); return 0;
    }
    {
      int i, d;
      cp = 0;
      for (i = 0; i < 4; i++) {
        if ((d = hexval(p->s[p->pos++])) < 0) { free(buf); return 0; }
        cp = cp << 4 | (unsigned)d;
      }
      if (cp >= 0xD800 && cp <= 0xDBFF && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u') {
        unsigned long lo = 0;
        size_t save = p->pos;
        p->pos += 2;
        for (i = 0; i < 4; i++) {
          if ((d = hexval(p->s[p->pos++])) < 0) { free(buf); return 0; }
          lo = lo << 4 | (unsigned)d;
        }
        if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        else p->pos = save;
      }
    }
    if (cp < 0x80) buf[len++] = (char)cp;
    else if (cp < 0x800) { buf[len++] = (char)(0xC0 | cp >> 6); buf[len++] = (char)(0x80 | (cp & 0x3F)); }
    else if (cp < 0x10000) {
      buf[len++] = (char)(0xE0 | cp >> 12); buf[len++] = (char)(0x80 | ((cp >> 6) & 0x3F));
      buf[len++] = (char)(0x80 | (cp & 0x3F));
    } else {
      buf[len++] = (char)(0xF0 | cp >> 18); buf[len++] = (char)(0x80 | ((cp >> 12) & 0x3F));
      buf[len++] = (char)(0x80 | ((cp >> 6) & 0x3F)); buf[len++] = (char)(0x80 | (cp & 0x3F));
    }
  }
  buf[len] = 0;
  *out = buf;
  return 1;
}

/* Appends a parsed child to a container. */
static json *push(json *c) {
  json *items = realloc(c->items, (c->n + 1) * sizeof *items);
  if (!items) return NULL;
  c->items = items;
  memset(&items[c->n], 0, sizeof *items);
  return &items[c->n++];
}

static int parse_value(json_parser *p, json *out) {
  char c;
  memset(out, 0, sizeof *out);
  ws(p);
  c = p->s[p->pos];
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    if (++p->depth > 64) return 0;
    out->type = c == '{' ? J_OBJ : J_ARR;
    p->pos++;
    ws(p);
    if (p->s[p->pos] == close) { p->pos++; p->depth--; return 1; }
    for (;;) {
      char *key = NULL;
      json *child;
      ws(p);
      if (out->type == J_OBJ) {
        char **keys;
        if (p->s[p->pos] != '"' || !parse_string(p, &key)) return 0;
        ws(p);
        if (p->s[p->pos++] != ':') { free(key); return 0; }
        keys = realloc(out->keys, (out->n + 1) * sizeof *keys);
        if (!keys) { free(key); return 0; }
        out->keys = keys;
        keys[out->n] = key;
      }
      if (!(child = push(out))) return 0;
      if (!parse_value(p, child)) return 0;
      ws(p);
      if (p->s[p->pos] == ',') { p->pos++; continue; }
      if (p->s[p->pos] == close) { p->pos++; p->depth--; return 1; }
      return 0;
    }
  }
  if (c == '"') { out->type = J_STR; return parse_string(p, &out->str); }
  if (strncmp(p->s + p->pos, "true", 4) == 0) { out->type = J_BOOL; out->num = 1; p->pos += 4; return 1; }
  if (strncmp(p->s + p->pos, "false", 5) == 0) { out->type = J_BOOL; p->pos += 5; return 1; }
  if (strncmp(p->s + p->pos, "null", 4) == 0) { out->type = J_NULL; p->pos += 4; return 1; }
  if (c == '-' || isdigit((unsigned char)c)) {
    char *end;
    out->type = J_NUM;
    out->num = strtod(p->s + p->pos, &end);
    p->pos = (size_t)(end - p->s);
    return 1;
  }
  return 0;
}

static const json *get(const json *obj, const char *key) {
  size_t i;
  if (!obj || obj->type != J_OBJ) return NULL;
  for (i = 0; i < obj->n; i++)
    if (strcmp(obj->keys[i], key) == 0) return &obj->items[i];
  return NULL;
}

/* Hex string to bytes; returns the byte count or -1. */
static long from_hex(const char *hex, uint8_t **out) {
  size_t n = strlen(hex), i;
  uint8_t *b;
  if (n % 2) return -1;
  b = malloc(n / 2 + 1);
  if (!b) return -1;
  for (i = 0; i < n / 2; i++) {
    int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) { free(b); return -1; }
    b[i] = (uint8_t)(hi << 4 | lo);
  }
  *out = b;
  return (long)(n / 2);
}

/* ---------------------------------------------------------------- answers */

static void put_hex(const uint8_t *b, size_t n) {
  size_t i;
  putchar('"');
  for (i = 0; i < n; i++) printf("%02x", b[i]);
  putchar('"');
}

static void put_string(const uint8_t *s, size_t n) {
  size_t i;
  putchar('"');
  for (i = 0; i < n; i++) {
    if (s[i] == '"' || s[i] == '\\') printf("\\%c", s[i]);
    else if (s[i] < 0x20) printf("\\u%04x", s[i]);
    else putchar(s[i]);
  }
  putchar('"');
}

static void put_error(const char *code) { printf("{\"ok\":false,\"error\":\"%s\"}", code); }

/* The extensions object: the known types by name, the others under "unknown" in type order. */
static void put_extensions(const fvq_decoded *d) {
  static const char *const names[] = {NULL, "captureTime", "nonce", "keyId", "authTag"};
  size_t i, n_unknown = 0;
  const char *sep = "";
  putchar('{');
  for (i = 0; i < d->n_exts; i++) {
    const fvq_ext *x = &d->exts[i];
    if (x->type > 4) { n_unknown++; continue; }
    printf("%s\"%s\":", sep, names[x->type]);
    sep = ",";
    if (x->type == 1) /* capture time: seconds, big-endian (§4) */
      printf("%lu", (unsigned long)((uint32_t)x->value[0] << 24 | (uint32_t)x->value[1] << 16 |
                                    (uint32_t)x->value[2] << 8 | x->value[3]));
    else
      put_hex(x->value, x->len);
  }
  if (n_unknown) {
    printf("%s\"unknown\":[", sep);
    sep = "";
    for (i = 0; i < d->n_exts; i++) {
      const fvq_ext *x = &d->exts[i];
      if (x->type <= 4) continue;
      printf("%s{\"type\":%u,\"value\":", sep, x->type);
      put_hex(x->value, x->len);
      putchar('}');
      sep = ",";
    }
    putchar(']');
  }
  putchar('}');
}

/* "mode":M,"grid":[...],"extensions":{...} of a decoded payload. */
static void put_decoded(const fvq_decoded *d) {
  size_t i;
  printf("\"mode\":%d,\"grid\":[", d->mode);
  for (i = 0; i < d->n_indices; i++) printf(i ? ",%u" : "%u", d->grid[i]);
  printf("],\"extensions\":");
  put_extensions(d);
}

/* ---------------------------------------------------------------- profiles, loaded once per path */

#define MAX_CACHED 64

static struct {
  char *path;
  fvq_profile profile;
} cache[MAX_CACHED];
static size_t n_cached;

static int read_file(const char *path, uint8_t **buf, size_t *n) {
  FILE *f = fopen(path, "rb");
  size_t cap = 1 << 16, len = 0, got;
  uint8_t *b = malloc(cap);
  if (!f || !b) { if (f) fclose(f); free(b); return 0; }
  while ((got = fread(b + len, 1, cap - len, f)) > 0) {
    len += got;
    if (len == cap) {
      uint8_t *nb = realloc(b, cap *= 2);
      if (!nb) { free(b); fclose(f); return 0; }
      b = nb;
    }
  }
  fclose(f);
  *buf = b;
  *n = len;
  return 1;
}

/* The profile at `path`, loaded on first use; NULL with *err set when it does not load. */
static const fvq_profile *load_profile(const char *path, const char **err) {
  size_t i, n;
  uint8_t *buf;
  fvq_err e;
  for (i = 0; i < n_cached; i++)
    if (strcmp(cache[i].path, path) == 0) return &cache[i].profile;
  if (n_cached == MAX_CACHED) { *err = "too many profiles"; return NULL; }
  if (!read_file(path, &buf, &n)) { *err = "cannot read profile file"; return NULL; }
  e = fvq_profile_read(buf, n, &cache[n_cached].profile);
  free(buf);
  if (e != FVQ_OK) { *err = fvq_err_name(e); return NULL; }
  cache[n_cached].path = malloc(strlen(path) + 1);
  if (!cache[n_cached].path) { fvq_profile_free(&cache[n_cached].profile); *err = "out of memory"; return NULL; }
  strcpy(cache[n_cached].path, path);
  return &cache[n_cached++].profile;
}

/* "profile": a path or an array of paths. Returns the count held, or -1 with *err set. The same
 * profile named twice is held once; two different profiles with one id are refused (§2.2). */
static long load_profiles(const json *req, const fvq_profile **out, size_t cap, const char **err) {
  const json *pj = get(req, "profile");
  size_t i, j, n = 0;
  *err = "bad request: profile";
  if (pj && pj->type == J_STR) {
    return (out[0] = load_profile(pj->str, err)) ? 1 : -1;
  }
  if (!pj || pj->type != J_ARR || pj->n > cap) return -1;
  for (i = 0; i < pj->n; i++) {
    const fvq_profile *p;
    if (pj->items[i].type != J_STR) return -1;
    if (!(p = load_profile(pj->items[i].str, err))) return -1;
    for (j = 0; j < n && out[j]->id != p->id; j++) {}
    if (j == n) out[n++] = p;
    else if (memcmp(out[j]->sha256, p->sha256, 32) != 0) {
      *err = "bad request: two different profiles with one id (spec/FORMAT.md 2.2)";
      return -1;
    }
  }
  return (long)n;
}

/* ---------------------------------------------------------------- operations */

/* The "hex" field of a request as bytes (to free), or NULL after answering the error. */
static uint8_t *request_bytes(const json *req, long *n) {
  const json *hex = get(req, "hex");
  uint8_t *bytes;
  if (!hex || hex->type != J_STR || (*n = from_hex(hex->str, &bytes)) < 0) {
    put_error("bad request: hex");
    return NULL;
  }
  return bytes;
}

/* Decoding ops: the profiles held, the bytes; 0 after answering an error. */
typedef struct {
  const fvq_profile *profiles[16];
  size_t n_profiles;
  uint8_t *bytes;
  size_t n;
} decode_input;

static int decode_request(const json *req, decode_input *in) {
  const char *err;
  long np = load_profiles(req, in->profiles, 16, &err), n;
  if (np < 0) { put_error(err); return 0; }
  if (!(in->bytes = request_bytes(req, &n))) return 0;
  in->n_profiles = (size_t)np;
  in->n = (size_t)n;
  return 1;
}

static void op_decode(const json *req) {
  decode_input in;
  static fvq_decoded d;
  fvq_err e;
  if (!decode_request(req, &in)) return;
  e = fvq_decode(in.bytes, in.n, in.profiles, in.n_profiles, &d);
  if (e != FVQ_OK) put_error(fvq_err_name(e));
  else { printf("{\"ok\":true,"); put_decoded(&d); putchar('}'); }
  free(in.bytes);
}

/* One entry of the "extensions" object: its type and value bytes in `store`; 0 when the value is
 * not one the entry can hold (E_EXT_MALFORMED). */
static int read_extension_value(const char *key, const json *v, unsigned *type, uint8_t store[256], size_t *len) {
  static const char *const names[] = {"captureTime", "nonce", "keyId", "authTag"};
  size_t k;
  uint8_t *b;
  long n;
  for (k = 0; k < 4 && strcmp(key, names[k]) != 0; k++) {}
  if (k == 4) return 0;
  *type = (unsigned)(k + 1);
  if (k == 0) { /* capture time: a number, 4 bytes big-endian */
    unsigned long t;
    if (v->type != J_NUM || v->num < 0 || v->num > 4294967295.0 || v->num != (double)(unsigned long)v->num) return 0;
    t = (unsigned long)v->num;
    store[0] = (uint8_t)(t >> 24); store[1] = (uint8_t)(t >> 16);
    store[2] = (uint8_t)(t >> 8); store[3] = (uint8_t)t;
    *len = 4;
    return 1;
  }
  if (v->type != J_STR || (n = from_hex(v->str, &b)) < 0) return 0;
  if (n > 255) { free(b); return 0; }
  memcpy(store, b, (size_t)n);
  free(b);
  *len = (size_t)n;
  return 1;
}

/* An entry of "unknown": a whole type 5..255 (1..4 have their own fields) and at most 255 bytes. */
static int read_unknown_entry(const json *u, unsigned *type, uint8_t store[256], size_t *len) {
  const json *t = get(u, "type"), *val = get(u, "value");
  uint8_t *b;
  long n;
  if (!t || t->type != J_NUM || !val || val->type != J_STR) return 0;
  if (t->num < 5 || t->num > 255 || t->num != (double)(unsigned)t->num) return 0;
  if ((n = from_hex(val->str, &b)) < 0) return 0;
  if (n > 255) { free(b); return 0; }
  memcpy(store, b, (size_t)n);
  free(b);
  *type = (unsigned)t->num;
  *len = (size_t)n;
  return 1;
}

/* The "extensions" object of an encode request as entries (values kept in `store`). Every value is
 * checked on its own first (E_EXT_MALFORMED); a list longer than fvq_encode takes is then a
 * repeated type (E_EXT_DUPLICATE) or a block over 255 bytes (E_EXT_MALFORMED), in that order,
 * as spec/CONFORMANCE.md "Precedence of checks" has it. */
static fvq_err read_extensions_json(const json *ej, fvq_ext *exts, size_t *n, uint8_t store[][256]) {
  unsigned char seen[256] = {0};
  uint8_t scratch[256];
  size_t i, k, count = 0;
  int repeated = 0;
  *n = 0;
  if (!ej || ej->type == J_NULL) return FVQ_OK;
  if (ej->type != J_OBJ) return FVQ_E_EXT_MALFORMED;
  for (i = 0; i < ej->n; i++) {
    const json *v = &ej->items[i];
    int is_unknown = strcmp(ej->keys[i], "unknown") == 0;
    if (is_unknown && v->type != J_ARR) return FVQ_E_EXT_MALFORMED;
    for (k = 0; k < (is_unknown ? v->n : 1); k++) {
      unsigned type;
      size_t len;
      uint8_t *dst = *n < FVQ_MAX_EXTS ? store[*n] : scratch;
      if (is_unknown ? !read_unknown_entry(&v->items[k], &type, dst, &len)
                     : !read_extension_value(ej->keys[i], v, &type, dst, &len))
        return FVQ_E_EXT_MALFORMED;
      repeated |= seen[type];
      seen[type] = 1;
      if (*n < FVQ_MAX_EXTS) {
        exts[*n].type = (uint8_t)type;
        exts[*n].len = (uint8_t)len;
        exts[*n].value = store[*n];
        (*n)++;
      }
      count++;
    }
  }
  if (count > FVQ_MAX_EXTS) return repeated ? FVQ_E_EXT_DUPLICATE : FVQ_E_EXT_MALFORMED;
  return FVQ_OK;
}

static void op_encode(const json *req) {
  const fvq_profile *profiles[1];
  const json *grid = get(req, "grid"), *mode = get(req, "mode");
  const char *err;
  static uint16_t cells[FVQ_MAX_INDICES];
  static uint8_t store[FVQ_MAX_EXTS][256];
  fvq_ext exts[FVQ_MAX_EXTS];
  uint8_t out[FVQ_MAX_PAYLOAD];
  size_t i, n_exts, len;
  int m;
  fvq_err e, ext_err;
  if (load_profiles(req, profiles, 1, &err) != 1) { put_error(err); return; }
  if (!grid || grid->type != J_ARR) { put_error("bad request: grid"); return; }
  if (!mode || (mode->type == J_STR && strcmp(mode->str, "auto") == 0)) {
    const json *ctx = get(req, "contexts"), *fast = get(req, "fast");
    m = fast && fast->type == J_BOOL && fast->num ? FVQ_MODE_AUTO_FAST
        : ctx && ctx->type == J_BOOL && ctx->num  ? FVQ_MODE_AUTO_CONTEXTS
                                                  : FVQ_MODE_AUTO;
  }
  else if (mode->type == J_NUM) m = (int)mode->num;
  else { put_error("bad request: mode"); return; }
  if (grid->n > FVQ_MAX_INDICES) { put_error("E_GRID"); return; }
  for (i = 0; i < grid->n; i++) {
    const json *c = &grid->items[i];
    if (c->type != J_NUM || c->num < 0 || c->num > 65535 || c->num != (double)(long)c->num) {
      put_error("E_GRID");
      return;
    }
    cells[i] = (uint16_t)c->num;
  }
  ext_err = read_extensions_json(get(req, "extensions"), exts, &n_exts, store);
  /* an extension set fvq_encode cannot take still comes after E_GRID and E_MODE (§7) */
  e = fvq_encode(profiles[0], cells, grid->n, m, exts, ext_err == FVQ_OK ? n_exts : 0, out, sizeof out, &len);
  if (ext_err != FVQ_OK && e != FVQ_E_GRID && e != FVQ_E_MODE) e = ext_err;
  if (e != FVQ_OK) { put_error(fvq_err_name(e)); return; }
  printf("{\"ok\":true,\"hex\":");
  put_hex(out, len);
  putchar('}');
}

static void op_profile(const json *req) {
  long n;
  uint8_t *bytes = request_bytes(req, &n);
  fvq_profile p;
  fvq_err e;
  if (!bytes) return;
  e = fvq_profile_read(bytes, (size_t)n, &p);
  free(bytes);
  if (e != FVQ_OK) { put_error(fvq_err_name(e)); return; }
  printf("{\"ok\":true,\"id\":%u,\"name\":", p.id);
  put_string((const uint8_t *)p.name, strlen(p.name));
  printf(",\"sha256\":");
  put_hex(p.sha256, 32);
  putchar('}');
  fvq_profile_free(&p);
}

static void op_batch(const json *req) {
  decode_input in;
  static fvq_batch_item items[FVQ_MAX_BATCH];
  static fvq_decoded d;
  size_t count, i;
  fvq_err e;
  if (!decode_request(req, &in)) return;
  e = fvq_batch_read(in.bytes, in.n, items, &count);
  if (e != FVQ_OK) {
    put_error(fvq_err_name(e));
  } else {
    printf("{\"ok\":true,\"items\":[");
    for (i = 0; i < count; i++) { /* §11: each payload on its own */
      printf(i ? ",{\"id\":" : "{\"id\":");
      put_string(items[i].id, items[i].id_len);
      e = fvq_decode(items[i].payload, items[i].payload_len, in.profiles, in.n_profiles, &d);
      if (e != FVQ_OK) {
        printf(",\"ok\":false,\"error\":\"%s\"}", fvq_err_name(e));
      } else {
        printf(",\"ok\":true,");
        put_decoded(&d);
        putchar('}');
      }
    }
    printf("]}");
  }
  free(in.bytes);
}

static void handle(const char *line) {
  json_parser p;
  json req;
  const json *op;
  p.s = line; p.pos = 0; p.depth = 0;
  if (!parse_value(&p, &req) || req.type != J_OBJ) {
    json_free(&req);
    put_error("bad request: not a JSON object");
    return;
  }
  op = get(&req, "op");
  if (op && op->type == J_STR && strcmp(op->str, "decode") == 0) op_decode(&req);
  else if (op && op->type == J_STR && strcmp(op->str, "encode") == 0) op_encode(&req);
  else if (op && op->type == J_STR && strcmp(op->str, "profile") == 0) op_profile(&req);
  else if (op && op->type == J_STR && strcmp(op->str, "batch") == 0) op_batch(&req);
  else put_error("unsupported");
  json_free(&req);
}

int main(void) {
  size_t cap = 1 << 16, len = 0;
  char *line = malloc(cap);
  int c;
  if (!line) return 1;
  /* one request per line; the answer is flushed before the next line is read */
  while ((c = getchar()) != EOF) {
    if (c != '\n') {
      if (len + 1 >= cap) {
        char *nl = realloc(line, cap *= 2);
        if (!nl) return 1;
        line = nl;
      }
      line[len++] = (char)c;
      continue;
    }
    line[len] = 0;
    if (len > 0) {
      handle(line);
      putchar('\n');
      fflush(stdout);
    }
    len = 0;
  }
  free(line);
  for (len = 0; len < n_cached; len++) { fvq_profile_free(&cache[len].profile); free(cache[len].path); }
  return 0;
}
