/**
 * The energy model: millijoules per identification for facevq and the alternatives, each as
 * on-device compute (instructions x cycles per instruction x joules per cycle of the MCU) plus radio
 * (time on air x supply x TX current). Common costs (camera, face detection, the crop, radio
 * wake-up and LoRaWAN's receive windows, sleep) are left out: they are the same for every option,
 * or grow with the number of frames and so favour the smaller payloads further.
 */
import { bleAdvertisingTime, lorawanUplinks } from './radio.js';
import { CYCLES_PER_INSTRUCTION, JOULES_PER_CYCLE, LORA, MCU } from './parts.js';

/** Spreading factors priced (EU868 DR5..DR0). */
export const SPREADING_FACTORS = [7, 8, 9, 10, 11, 12] as const;

/** One way to identify a face from a device. */
export interface EnergyOption {
  /** Short label, as in the table. */
  name: string;
  /** What runs on the device. */
  device: string;
  /** Instructions a face on the MCU (0: nothing runs), and how they were obtained. */
  instructions: number;
  instructionsSource: string;
  /** Application bytes sent (the model card's mean, rounded up). */
  bytes: number;
  link: 'lora' | 'ble';
  /** LFW View 2 accuracy (%) from the model card, when it has the method. */
  accuracy: number | undefined;
}

/** An option priced. */
export interface EnergyResult extends EnergyOption {
  computeMj: number;
  /** LoRa: uplinks and radio mJ by spreading factor; BLE: one entry under key 0. */
  radio: Record<number, { frames: number; seconds: number; mj: number }>;
  /** compute + radio by spreading factor (BLE: key 0). */
  totalMj: Record<number, number>;
}

/** Prices `option`. */
export function price(option: EnergyOption): EnergyResult {
  const computeMj = option.instructions * CYCLES_PER_INSTRUCTION * JOULES_PER_CYCLE * 1e3;
  const radio: EnergyResult['radio'] = {};
  if (option.link === 'ble') {
    const seconds = bleAdvertisingTime(option.bytes, MCU.bleRampUpSeconds);
    radio[0] = { frames: 1, seconds, mj: seconds * MCU.volts * MCU.bleTxAmps * 1e3 };
  } else {
    for (const sf of SPREADING_FACTORS) {
      const frames = lorawanUplinks(option.bytes, sf);
      const seconds = frames.reduce((a, b) => a + b, 0);
      radio[sf] = { frames: frames.length, seconds, mj: seconds * LORA.volts * LORA.txAmps * 1e3 };
    }
  }
  const totalMj = Object.fromEntries(Object.entries(radio).map(([k, r]) => [k, computeMj + r.mj]));
  return { ...option, computeMj, radio, totalMj };
}
