/**
 * The parts the energy model prices, with the datasheet figures it uses and where they come from.
 * Energy is supply voltage x current x time throughout; currents are typical values at 25 °C.
 */

/** The microcontroller: a Cortex-M4F with a BLE radio on chip. */
export const MCU = {
  part: 'Nordic nRF52840 (Cortex-M4F, 64 MHz)',
  volts: 3.0,
  /** CPU running CoreMark from flash at 64 MHz, DC/DC regulator, cache on. */
  runAmps: 3.3e-3,
  hz: 64e6,
  /** BLE radio: TX at 0 dBm with the DC/DC regulator. */
  bleTxAmps: 4.8e-3,
  /** TX ramp-up in fast mode (RADIO MODECNF0.RU = Fast). */
  bleRampUpSeconds: 40e-6,
  source: 'nRF52840 Product Specification v1.7: §5.2 current consumption (CPU running CoreMark @64 MHz from flash, DC/DC, 3 V: 3.3 mA; ' +
    'radio TX 0 dBm, DC/DC: 4.8 mA), §6.20 RADIO (fast ramp-up 40 us)',
} as const;

/** The LoRa radio. */
export const LORA = {
  part: 'Semtech SX1262, +14 dBm (the EU868 limit)',
  volts: 3.3,
  txAmps: 45e-3,
  source: 'SX1261/2 datasheet rev 2.1, Table 3-5: TX current of the SX1262 at +14 dBm, DC-DC mode, 3.3 V: 45 mA',
} as const;

/**
 * Cycles a core spends per instruction. QEMU counts instructions, not cycles; a Cortex-M4 retires
 * most data-processing and FPU instructions in one cycle but loads and stores in two unless
 * pipelined, so 1 is a lower bound. It prices every option's network the same way, so it moves
 * no ratio between on-device networks.
 */
export const CYCLES_PER_INSTRUCTION = 1;

/** Joules per CPU cycle of the MCU. */
export const JOULES_PER_CYCLE = (MCU.volts * MCU.runAmps) / MCU.hz;
