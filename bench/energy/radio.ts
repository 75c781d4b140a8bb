/**
 * Time on air of a payload: LoRa (LoRaWAN uplinks, EU868) and BLE legacy advertising.
 *
 * LoRa: the Semtech formula (SX1276/77/78/79 datasheet §4.1.1.7; AN1200.13 "LoRa Modem Designer's
 * Guide"):
 *   Tsym = 2^SF / BW,  Tpreamble = (n_preamble + 4.25) * Tsym
 *   n_payload = 8 + max(ceil((8 PL - 4 SF + 28 + 16 CRC - 20 IH) / (4 (SF - 2 DE))) * (CR + 4), 0)
 *   Tpacket = Tpreamble + n_payload * Tsym
 * with LoRaWAN's uplink settings: 8 preamble symbols, explicit header (IH = 0), CRC on, coding rate
 * 4/5 (CR = 1), low-data-rate optimisation (DE = 1) at SF11 and SF12 on 125 kHz. PL is the PHY
 * payload: the application bytes plus LoRaWAN's 13 bytes of framing (MHDR 1, DevAddr 4, FCtrl 1,
 * FCnt 2, FPort 1, MIC 4; LoRaWAN 1.0.x §4), no FOpts. A payload over one frame's limit goes as
 * several uplinks (EU868 limits N, LoRaWAN Regional Parameters RP002: 51 bytes at SF12-SF10, 115 at
 * SF9, 222 at SF8 and SF7).
 */

/** LoRaWAN framing bytes around FRMPayload (MHDR, FHDR without FOpts, FPort, MIC). */
export const LORAWAN_OVERHEAD = 13;

/** EU868 application payload limit N by spreading factor (RP002-1.0.x, DR5..DR0 at 125 kHz). */
export const LORAWAN_MAX_PAYLOAD: Readonly<Record<number, number>> = { 7: 222, 8: 222, 9: 115, 10: 51, 11: 51, 12: 51 };

/** Seconds on air of one LoRa packet of `phyBytes` bytes at spreading factor `sf`, bandwidth `bw` Hz. */
export function loraAirtime(phyBytes: number, sf: number, bw = 125_000): number {
  if (!Number.isInteger(sf) || sf < 6 || sf > 12) throw new RangeError(`spreading factor ${sf}`);
  const tsym = 2 ** sf / bw;
  const de = bw === 125_000 && sf >= 11 ? 1 : 0, crc = 1, ih = 0, cr = 1, preamble = 8;
  const n = 8 + Math.max(Math.ceil((8 * phyBytes - 4 * sf + 28 + 16 * crc - 20 * ih) / (4 * (sf - 2 * de))) * (cr + 4), 0);
  return (preamble + 4.25) * tsym + n * tsym;
}

/** The LoRaWAN uplinks that carry `appBytes` at `sf`: each frame's seconds on air. */
export function lorawanUplinks(appBytes: number, sf: number): number[] {
  const limit = LORAWAN_MAX_PAYLOAD[sf];
  if (limit === undefined) throw new RangeError(`no EU868 data rate at SF${sf}`);
  const frames: number[] = [];
  for (let left = Math.ceil(appBytes); left > 0; left -= limit) frames.push(loraAirtime(Math.min(left, limit) + LORAWAN_OVERHEAD, sf));
  return frames;
}

/**
 * Seconds of transmission for one BLE legacy advertising event (ADV_NONCONN_IND, LE 1M PHY,
 * 8 us a byte; Bluetooth Core 5.x Vol 6 Part B §2.1 and §2.3.1.3) carrying `advDataBytes` (at
 * most 31) on the three primary channels, each after the radio's `rampUp` seconds.
 */
export function bleAdvertisingTime(advDataBytes: number, rampUp: number): number {
  if (advDataBytes > 31) throw new RangeError(`${advDataBytes} bytes do not fit a legacy advertisement (31)`);
  const pdu = 1 /* preamble */ + 4 /* access address */ + 2 /* header */ + 6 /* AdvA */ + advDataBytes + 3 /* CRC */;
  return 3 * (rampUp + pdu * 8e-6);
}
