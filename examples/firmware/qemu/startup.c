/*
 * startup.c - a bare-metal start for the Cortex-M boards QEMU emulates (mps2-an386, mps2-an505):
 * the vector table, .data and .bss set up from the linker script's symbols, the FPU switched on,
 * then semihosting (newlib's librdimon) so that stdio reaches the host, and main().
 */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end, __stack_top;
extern void initialise_monitor_handles(void);
extern int main(void);

#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u) /* Armv7-M/v8-M ARM §B3.2.20 */

void reset_handler(void);
void fault_handler(void);

void reset_handler(void) {
  uint32_t *from = &__data_load, *to = &__data_start;
  while (to < &__data_end) *to++ = *from++;
  for (to = &__bss_start; to < &__bss_end;) *to++ = 0;
  SCB_CPACR |= 0xFu << 20; /* CP10 and CP11 full access: the single-precision FPU */
  __asm volatile("dsb\n\tisb" ::: "memory");
  initialise_monitor_handles();
  exit(main());
}

/* Any fault ends the run: QEMU exits with a non-zero status. */
void fault_handler(void) {
  abort();
}

/* The vector table: the initial stack pointer (its own section, as ISO C has no pointer that is
 * both), then reset, NMI, HardFault, MemManage, BusFault, UsageFault. sections.ld puts them first. */
__attribute__((section(".vectors.sp"), used)) static uint32_t *const initial_sp = &__stack_top;
__attribute__((section(".vectors.handlers"), used)) static void (*const vectors[6])(void) = {
  reset_handler, fault_handler, fault_handler, fault_handler, fault_handler, fault_handler,
};
