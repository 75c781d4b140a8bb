/*
 * footprint.c - the smallest program around the generated encoder: one call to fvq_encode_chip().
 * `make arm` links it alone (no semihosting, no stdio) so that `size` reports the flash (text,
 * with rodata) and static RAM (data + bss) the encoder, its weights and the codec take on a device.
 */
#include "fvq_model.h"

int main(void) {
  static uint8_t chip[FVQ_CHIP_BYTES];
  uint8_t payload[FVQ_MAX_PAYLOAD];
  return fvq_encode_chip(chip, payload, sizeof payload) < 0;
}
