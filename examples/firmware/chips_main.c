/*
 * chips_main.c - the host harness of the generated encoder: reads aligned chips (FVQ_CHIP_BYTES
 * each) from stdin until EOF and writes, for each, one record to stdout: the grid
 * (FVQ_GRID_LENGTH little-endian uint16), the payload length (uint16 LE) and the payload. The
 * parity test (test/firmware/parity.test.ts) compares the records with the TypeScript SDK's.
 * Exit status 0, or 1 on a short chip or an encoding error (named on stderr).
 */
#include <stdio.h>

#include "fvq_model.h"

static void put_u16(unsigned v) {
  putchar((int)(v & 0xff));
  putchar((int)(v >> 8));
}

int main(void) {
  static uint8_t chip[FVQ_CHIP_BYTES];
  uint16_t grid[FVQ_GRID_LENGTH];
  uint8_t payload[FVQ_MAX_PAYLOAD];
  size_t got, i;
  long n = 0;
  int len;
  while ((got = fread(chip, 1, sizeof chip, stdin)) == sizeof chip) {
    fvq_chip_grid(chip, grid);
    len = fvq_encode_chip(chip, payload, sizeof payload);
    if (len < 0) {
      fprintf(stderr, "chip %ld: %s\n", n, fvq_err_name((fvq_err)-len));
      return 1;
    }
    for (i = 0; i < FVQ_GRID_LENGTH; i++) put_u16(grid[i]);
    put_u16((unsigned)len);
    fwrite(payload, 1, (size_t)len, stdout);
    n++;
  }
  if (got != 0) {
    fprintf(stderr, "chip %ld: %lu bytes, expected %d\n", n, (unsigned long)got, FVQ_CHIP_BYTES);
    return 1;
  }
  return fflush(stdout) != 0;
}
