/*
 * device.c - the device loop a firmware runs: a camera and a face finder give an aligned chip,
 * the generated encoder (fvq_model.c) turns it into a payload, and the payload goes to the radio.
 * The three hooks below are the board's; this file builds as-is (`make device`), with hooks that
 * replay one chip from a file and print the payload, so the loop is exercised on the host.
 *
 * On a real board: camera_next_chip() wraps your sensor driver and the crop (src/sdk/align.ts:
 * five landmarks to a 64x64 similarity warp), radio_send() your LoRaWAN stack (one unconfirmed
 * uplink on a port of your choice; profile `m` payloads fit DR0's 51 bytes) or a BLE advertiser
 * (profile `s`, at most 31 bytes).
 */
#include <stdio.h>

#include "fvq_model.h"

/* Board hook: the next aligned chip, or 0 when there is none (here: one chip read from a file). */
static int camera_next_chip(uint8_t chip[FVQ_CHIP_BYTES], FILE *source) {
  return fread(chip, 1, FVQ_CHIP_BYTES, source) == FVQ_CHIP_BYTES;
}

/* Board hook: hand the payload to the radio (here: print it as hex). */
static void radio_send(const uint8_t *payload, size_t len) {
  size_t i;
  for (i = 0; i < len; i++) printf("%02x", payload[i]);
  printf("\n");
}

int main(int argc, char **argv) {
  static uint8_t chip[FVQ_CHIP_BYTES];
  uint8_t payload[FVQ_MAX_PAYLOAD];
  FILE *source = argc > 1 ? fopen(argv[1], "rb") : stdin;
  int len;
  if (source == NULL) {
    fprintf(stderr, "cannot open %s\n", argv[1]);
    return 1;
  }
  while (camera_next_chip(chip, source)) {
    /* The payload bound is the profile's (§7): 51 bytes for `m`, so one LoRaWAN frame. */
    len = fvq_encode_chip(chip, payload, fvq_model_profile.max_bytes);
    if (len < 0) {
      fprintf(stderr, "encode: %s\n", fvq_err_name((fvq_err)-len));
      continue; /* a device drops the face and takes the next one */
    }
    radio_send(payload, (size_t)len);
  }
  return 0;
}
