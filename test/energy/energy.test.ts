/**
 * The energy model's parts: the LoRa time-on-air formula against published values, LoRaWAN frame
 * splitting, BLE advertising, the model card reader on the real card, and the plot.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cardRow, lfwView2Rows } from '../../bench/energy/model-card.js';
import { price } from '../../bench/energy/model.js';
import { energyAccuracySvg } from '../../bench/energy/plot.js';
import { bleAdvertisingTime, LORAWAN_OVERHEAD, loraAirtime, lorawanUplinks } from '../../bench/energy/radio.js';

describe('LoRa time on air (Semtech formula)', () => {
  // Worked by hand from the formula (125 kHz, CR 4/5, 8 preamble symbols, explicit header, CRC on,
  // LDRO at SF12), e.g. 13 bytes at SF7: 8 + ceil((104 - 28 + 28 + 16) / 28) * 5 = 33 payload
  // symbols + 12.25 preamble = 45.25 x 1.024 ms. The first and last are the figures LoRa airtime
  // calculators print for those sizes (46.3 ms, 2465.8 ms).
  it.each([
    [13, 7, 46.336], [13, 12, 1155.072], [64, 7, 118.016], [51, 12, 2465.792],
  ])('%i bytes at SF%i: %f ms', (bytes, sf, ms) => {
    expect(loraAirtime(bytes, sf) * 1e3).toBeCloseTo(ms, 2);
  });

  it('splits a payload over EU868 frames with LoRaWAN framing each', () => {
    expect(lorawanUplinks(51, 12)).toEqual([loraAirtime(51 + LORAWAN_OVERHEAD, 12)]);
    expect(lorawanUplinks(52, 12)).toHaveLength(2);
    expect(lorawanUplinks(1114, 7)).toHaveLength(6); // 5 x 222 + 4
    expect(() => lorawanUplinks(10, 6)).toThrow(RangeError);
  });

  it('rejects spreading factors outside 6..12', () => {
    expect(() => loraAirtime(10, 13)).toThrow(RangeError);
  });
});

describe('BLE advertising', () => {
  it('three channels of preamble, access address, header, AdvA, data and CRC at 1 Mbit/s', () => {
    expect(bleAdvertisingTime(31, 0)).toBeCloseTo(3 * 47 * 8e-6, 12);
    expect(bleAdvertisingTime(0, 40e-6)).toBeCloseTo(3 * (40e-6 + 16 * 8e-6), 12);
    expect(() => bleAdvertisingTime(32, 0)).toThrow(RangeError);
  });
});

describe('the model card', () => {
  const rows = lfwView2Rows(fs.readFileSync('models/README.md', 'utf8'));

  it('holds the LFW View 2 rows the energy table prices', () => {
    for (const prefix of ['facevq:m', 'facevq:s', 'teacher 1 bit/dim', 'JPEG of the chip ~1,200 B', 'WebP of the chip ~500 B', 'JPEG of the chip, as small as JPEG goes']) {
      const row = cardRow(rows, prefix);
      expect(row.accuracy).toBeGreaterThan(50);
      expect(row.accuracy).toBeLessThan(100);
      expect(row.bytesMean).toBeLessThanOrEqual(row.bytesMax);
    }
    expect(cardRow(rows, 'facevq:m').bytesMax).toBeLessThanOrEqual(51);
  });

  it('fails naming what is missing', () => {
    expect(() => cardRow(rows, 'no such method')).toThrow(/no such method/);
    expect(() => lfwView2Rows('# a card without the table')).toThrow(/LFW View 2/);
  });
});

describe('pricing and the plot', () => {
  const option = { name: 'x', device: 'y', instructionsSource: 'z', accuracy: 90 } as const;

  it('adds compute to radio, per spreading factor', () => {
    const idle = price({ ...option, instructions: 0, bytes: 50, link: 'lora' });
    const busy = price({ ...option, instructions: 64e6, bytes: 50, link: 'lora' });
    expect(busy.computeMj).toBeCloseTo(3.0 * 3.3e-3 * 1e3, 6); // one second of the nRF52840 at 64 MHz
    expect(busy.totalMj[12]! - idle.totalMj[12]!).toBeCloseTo(busy.computeMj, 9);
    expect(idle.totalMj[12]!).toBeGreaterThan(idle.totalMj[7]!);
  });

  it('draws every option with an accuracy and names the others', () => {
    const svg = energyAccuracySvg([
      price({ ...option, name: 'a', instructions: 1e6, bytes: 50, link: 'lora' }),
      price({ ...option, name: 'b <ble>', instructions: 1e6, bytes: 30, link: 'ble' }),
      price({ ...option, name: 'c', accuracy: undefined, instructions: 1e8, bytes: 16, link: 'lora' }),
    ]);
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('b &lt;ble&gt;: 90%');
    expect(svg).toContain('not drawn: c.');
    expect(svg.match(/<circle/g)).toHaveLength(2);
  });
});
