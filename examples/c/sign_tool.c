/*
 * sign_tool.c - signs grids with fvq_sign() (§13), one line in, one line out, for checking the
 * signed vectors (spec/vectors/payload/signed.json, test/c-sign.test.ts):
 *
 *   in:  PROFILE.fvqp MODE GRID KEY KEY_ID TIME TAG_LEN CAP
 *        MODE is 0..3 or auto; GRID is comma-separated indices; KEY and KEY_ID are hex
 *   out: the payload in hex, or "error E_CODE"
 */
#include "facevq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t unhex(const char *s, uint8_t *out, size_t cap) {
  size_t n = strlen(s) / 2, i;
  unsigned v;
  if (n > cap) return 0;
  for (i = 0; i < n; i++) {
    if (sscanf(s + 2 * i, "%2x", &v) != 1) return 0;
    out[i] = (uint8_t)v;
  }
  return n;
}

static int load_profile(const char *path, fvq_profile *p) {
  static uint8_t file[1 << 24];
  size_t n;
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  n = fread(file, 1, sizeof file, f);
  fclose(f);
  return fvq_profile_read(file, n, p) == FVQ_OK;
}

int main(void) {
  static char line[16384], path[4096], mode_s[8], grid_s[8192], key_s[256], id_s[32];
  static uint16_t grid[FVQ_MAX_INDICES];
  uint8_t key[128], key_id[8], out[FVQ_MAX_PAYLOAD];
  unsigned long time, tag_len, cap;
  while (fgets(line, sizeof line, stdin)) {
    fvq_profile p;
    size_t n = 0, key_len, id_len, out_len, i;
    char *tok;
    int mode;
    fvq_err e;
    if (sscanf(line, "%4095s %7s %8191s %255s %31s %lu %lu %lu", path, mode_s, grid_s, key_s, id_s, &time, &tag_len, &cap) != 8 ||
        !load_profile(path, &p)) {
      printf("error bad-input\n");
      fflush(stdout);
      continue;
    }
    for (tok = strtok(grid_s, ","); tok && n < FVQ_MAX_INDICES; tok = strtok(NULL, ",")) grid[n++] = (uint16_t)strtoul(tok, NULL, 10);
    mode = strcmp(mode_s, "auto") == 0 ? FVQ_MODE_AUTO : atoi(mode_s);
    key_len = unhex(key_s, key, sizeof key);
    id_len = unhex(id_s, key_id, sizeof key_id);
    e = fvq_sign(&p, grid, n, mode, key, key_len, key_id, id_len, (uint32_t)time, tag_len, out, cap, &out_len);
    if (e != FVQ_OK) {
      printf("error %s\n", fvq_err_name(e));
    } else {
      for (i = 0; i < out_len; i++) printf("%02x", out[i]);
      printf("\n");
    }
    fflush(stdout);
    fvq_profile_free(&p);
  }
  return 0;
}
