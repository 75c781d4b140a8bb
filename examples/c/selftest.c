/*
 * selftest.c - known-answer tests of the building blocks: CRC-8/AUTOSAR (§3), SHA-256
 * (FIPS 180-4, §10.1) and HMAC-SHA-256 (RFC 4231, §13). The wire format itself is tested by the
 * conformance vectors (make check).
 */
#include "facevq.h"

#include <stdio.h>
#include <string.h>

static int failures;

static void expect_hex(const char *what, const uint8_t *got, size_t n, const char *want) {
  char hex[2 * 64 + 1];
  size_t i;
  for (i = 0; i < n; i++) sprintf(hex + 2 * i, "%02x", got[i]);
  if (strcmp(hex, want) != 0) {
    printf("FAIL %s: got %s, want %s\n", what, hex, want);
    failures++;
  }
}

int main(void) {
  static uint8_t million[1000000];
  uint8_t digest[32], crc;
  /* §3: the check value of CRC-8/AUTOSAR is 0xDF; init 0xFF, final XOR 0xFF */
  crc = (uint8_t)(fvq_crc8(0xFF, (const uint8_t *)"123456789", 9) ^ 0xFF);
  expect_hex("crc8(\"123456789\")", &crc, 1, "df");
  /* FIPS 180-4 examples, and the two-block padding case (56 bytes) */
  fvq_sha256((const uint8_t *)"", 0, digest);
  expect_hex("sha256(\"\")", digest, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  fvq_sha256((const uint8_t *)"abc", 3, digest);
  expect_hex("sha256(\"abc\")", digest, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  fvq_sha256((const uint8_t *)"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56, digest);
  expect_hex("sha256(448 bits)", digest, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  memset(million, 'a', sizeof million);
  fvq_sha256(million, sizeof million, digest);
  expect_hex("sha256(a x 10^6)", digest, 32, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  /* RFC 4231 §4.2 and §4.3: HMAC-SHA-256 test cases 1 and 2 (sign.c, §13) */
  {
    uint8_t key[20], mac[32];
    memset(key, 0x0b, sizeof key);
    fvq_hmac_sha256(key, sizeof key, (const uint8_t *)"Hi There", 8, mac);
    expect_hex("hmac(rfc4231 #1)", mac, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    fvq_hmac_sha256((const uint8_t *)"Jefe", 4, (const uint8_t *)"what do ya want for nothing?", 28, mac);
    expect_hex("hmac(rfc4231 #2)", mac, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
  printf("%s: %d failed\n", failures ? "FAIL" : "ok", failures);
  return failures != 0;
}
