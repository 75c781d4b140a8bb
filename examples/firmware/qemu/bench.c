/*
 * bench.c - the generated encoder on an emulated Cortex-M: reads chips from the host file
 * chips.bin (semihosting; QEMU's working directory), prints for each a line
 *   chip <n> instructions <count> stack <bytes> payload <hex>
 * and ends with "done <n>". Run by `make qemu-check` and test/firmware/qemu.test.ts.
 *
 * Instructions: QEMU runs with -icount shift=0 (one instruction per nanosecond of virtual time),
 * and SysTick counts the virtual clock; a calibration loop of known length converts ticks to
 * instructions. QEMU is not cycle-accurate: this counts instructions, not cycles.
 * Stack: the unused stack is painted before each chip and the deepest overwritten word found after.
 */
#include <stdio.h>

#include "fvq_model.h"

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u) /* SysTick control and status */
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u) /* reload value */
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u) /* current value (counts down) */
#define PAINT 0xC0FFEE11u

extern uint32_t __stack_limit;

/* Restarts SysTick from its 24-bit maximum on the processor clock, no interrupt. */
static void ticks_start(void) {
  SYST_CSR = 0;
  SYST_RVR = 0xFFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 5u;
}

static uint32_t ticks_elapsed(void) {
  return 0xFFFFFFu - SYST_CVR;
}

/* Instructions per SysTick tick, from a loop of `n` iterations of two instructions (subs, bne). */
static double instructions_per_tick(void) {
  uint32_t n = 4000000u, ticks;
  ticks_start();
  __asm volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(n));
  ticks = ticks_elapsed();
  return ticks ? 8000000.0 / ticks : 0;
}

/* Paints the stack below the current stack pointer (leaving 256 bytes of margin). */
static void paint_stack(void) {
  uint32_t *sp, *p = &__stack_limit;
  __asm volatile("mov %0, sp" : "=r"(sp));
  while (p + 64 < sp) *p++ = PAINT;
}

/* Bytes of stack used below the stack top since paint_stack(). */
static unsigned long stack_used(void) {
  extern uint32_t __stack_top;
  uint32_t *p = &__stack_limit;
  while (p < &__stack_top && *p == PAINT) p++;
  return (unsigned long)((uint8_t *)&__stack_top - (uint8_t *)p);
}

int main(void) {
  static uint8_t chip[FVQ_CHIP_BYTES];
  uint8_t payload[FVQ_MAX_PAYLOAD];
  const double per_tick = instructions_per_tick();
  FILE *in = fopen("chips.bin", "rb");
  int n = 0, len, i;
  if (in == NULL) {
    printf("error: cannot open chips.bin\n");
    return 1;
  }
  while (fread(chip, 1, sizeof chip, in) == sizeof chip) {
    uint32_t ticks;
    paint_stack();
    ticks_start();
    len = fvq_encode_chip(chip, payload, sizeof payload);
    ticks = ticks_elapsed();
    if (len < 0) {
      printf("error: chip %d: %s\n", n, fvq_err_name((fvq_err)-len));
      return 1;
    }
    printf("chip %d instructions %.0f stack %lu payload ", n, ticks * per_tick, stack_used());
    for (i = 0; i < len; i++) printf("%02x", payload[i]);
    printf("\n");
    n++;
  }
  fclose(in);
  printf("done %d\n", n);
  return 0;
}
