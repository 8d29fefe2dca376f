// Unicorn 2.0.1 numeric constants for x86, read from Debian's
// /usr/include/unicorn/{unicorn,x86}.h. One place only: every other module
// imports from here.

export const UC_ARCH_X86 = 4;
export const UC_MODE_32 = 1 << 2;

export const UC_PROT_READ = 1;
export const UC_PROT_WRITE = 2;
export const UC_PROT_ALL = 7;

export const UC_HOOK_INTR = 1 << 0;
export const UC_HOOK_INSN = 1 << 1;
export const UC_HOOK_CODE = 1 << 2;
export const UC_HOOK_BLOCK = 1 << 3;
export const UC_HOOK_MEM_FETCH_PROT = 1 << 9;
export const UC_HOOK_MEM_READ = 1 << 10;
export const UC_HOOK_MEM_WRITE = 1 << 11;
export const UC_HOOK_INSN_INVALID = 1 << 14;
/** uc_mem_type values a memory hook receives. */
export const UC_MEM_READ = 16;
export const UC_MEM_WRITE = 17;

/** uc_err: a fetch from memory mapped without UC_PROT_EXEC that no hook allowed. */
export const UC_ERR_FETCH_PROT = 14;

/** uc_ctl control words (UC_CTL_WRITE(type, nargs)). */
export const UC_CTL_WRITE_TB_REMOVE_CACHE = 0x48000009;
export const UC_CTL_WRITE_TB_FLUSH = 0x4000000a;
export const UC_CTL_WRITE_USE_EXITS = 0x44000004;
export const UC_CTL_WRITE_EXITS = 0x48000006;

/** x86 register ids (enum uc_x86_reg). */
export const X86Reg = {
  EAX: 19,
  EBX: 21,
  ECX: 22,
  EDX: 24,
  ESI: 29,
  EDI: 23,
  EBP: 20,
  ESP: 30,
  EIP: 26,
  EFLAGS: 25,
  CS: 11,
  SS: 49,
  DS: 17,
  ES: 28,
  FS: 32,
  GS: 33,
  CR0: 50,
  CR2: 52,
  CR3: 53,
  CR4: 54,
  IDTR: 242,
  GDTR: 243,
} as const;
/** Unicorn's x87 and SSE registers (unicorn/x86.h): ST0 + i is ST(i) from the stack top, XMM0 + i is XMMi. */
export const X86FloatReg = {
  FPSW: 31,
  ST0: 114,
  XMM0: 122,
  FPCW: 246,
  FPTAG: 247,
  MXCSR: 249,
} as const;

export type X86RegName = keyof typeof X86Reg;
export type X86RegId = (typeof X86Reg)[X86RegName];

/** Size of struct uc_x86_mmr (selector, base, limit, flags). */
export const UC_X86_MMR_SIZE = 24;
