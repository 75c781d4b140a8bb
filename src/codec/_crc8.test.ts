import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc8, crc8Begin, payloadCheck } from './_crc8.js';
import { refCrc8 } from './_reference.js';

describe('CRC-8/AUTOSAR (§3)', () => {
  it('has the catalogue check value 0xDF for "123456789"', () => {
    expect(crc8(new TextEncoder().encode('123456789'))).toBe(0xdf);
    expect(refCrc8(new TextEncoder().encode('123456789'))).toBe(0xdf);
  });

  it('matches the bitwise definition', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => crc8(bytes) === refCrc8(bytes)));
  });

  it('payloadCheck covers hash, bytes 0..1 and 3..end, skipping the check byte', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ minLength: 3, maxLength: 200 }), (hash, payload) => {
        const covered = [...hash, payload[0]!, payload[1]!, ...payload.subarray(3)];
        return payloadCheck(crc8Begin(hash), payload) === refCrc8(covered);
      }),
    );
  });
});
