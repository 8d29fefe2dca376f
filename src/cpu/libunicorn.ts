// koffi declarations of the part of libunicorn.so.2 the kernel uses.
// Private to src/cpu: the Engine class is the typed surface.
import koffi from 'koffi';

export const UC_LIBRARY = 'libunicorn.so.2';

export interface UnicornLibrary {
  version(): number;
  strerror(code: number): string;
  open(arch: number, mode: number, out: unknown[]): number;
  close(uc: unknown): number;
  memMapPtr(uc: unknown, address: number, size: number, perms: number, ptr: bigint): number;
  regRead(uc: unknown, regid: number, value: Uint8Array | Uint32Array): number;
  regWrite(uc: unknown, regid: number, value: Uint8Array | Uint32Array): number;
  regReadBatch(uc: unknown, regs: Int32Array, vals: unknown, count: number): number;
  emuStart(uc: unknown, begin: number, until: number, timeoutUs: number, count: number): number;
  emuStop(uc: unknown): number;
  hookAdd(uc: unknown, out: unknown[], type: number, cb: unknown, user: unknown, begin: number, end: number, ...variadic: unknown[]): number;
  hookDel(uc: unknown, hh: number): number;
  contextSize(uc: unknown): number;
  contextAlloc(uc: unknown, out: unknown[]): number;
  contextFree(ctx: unknown): number;
  contextSave(uc: unknown, ctx: unknown): number;
  contextRestore(uc: unknown, ctx: unknown): number;
  ctlRemoveCache(uc: unknown, control: number, begin: number, end: number): number;
  ctlNoArgs(uc: unknown, control: number): number;
  ctlUseExits(uc: unknown, control: number, on: number): number;
  ctlSetExits(uc: unknown, control: number, exits: BigUint64Array, count: number): number;
  /** QEMU internals exported by Debian's build (x86 is the x86_64 target in Unicorn 2). */
  qemuGetCpu(uc: unknown, index: number): unknown;
  tlbFlush(cpu: unknown): void;
  tlbFlushPage(cpu: unknown, address: number): void;
  IntrHook: koffi.IKoffiCType;
  CodeHook: koffi.IKoffiCType;
  MemoryHook: koffi.IKoffiCType;
  InvalidInstructionHook: koffi.IKoffiCType;
  MemEventHook: koffi.IKoffiCType;
}

let loaded: UnicornLibrary | undefined;

/** Loads the library once per process; throws the loader's message if absent. */
export function loadUnicorn(): UnicornLibrary {
  if (loaded) return loaded;
  const lib = koffi.load(UC_LIBRARY);
  const IntrHook = koffi.proto('void mmscope_uc_intr_cb(void *uc, uint32_t intno, void *user)');
  const CodeHook = koffi.proto('void mmscope_uc_code_cb(void *uc, uint64_t address, uint32_t size, void *user)');
  const MemoryHook = koffi.proto('void mmscope_uc_mem_cb(void *uc, int type, uint64_t address, int size, int64_t value, void *user)');
  const InvalidInstructionHook = koffi.proto('bool mmscope_uc_insn_invalid_cb(void *uc, void *user)');
  const MemEventHook = koffi.proto('bool mmscope_uc_mem_event_cb(void *uc, int type, uint64_t address, int size, int64_t value, void *user)');
  const hookAdd = lib.func('int uc_hook_add(void *uc, _Out_ size_t *hh, int type, void *cb, void *user, uint64_t begin, uint64_t end, ...)');
  const ctl = lib.func('int uc_ctl(void *uc, int control, ...)');
  const regReadBatch = lib.func('int uc_reg_read_batch(void *uc, int *regs, void **vals, int count)');
  loaded = {
    version: lib.func('unsigned int uc_version(void *major, void *minor)').bind(null, null, null) as () => number,
    strerror: lib.func('const char *uc_strerror(int code)'),
    open: lib.func('int uc_open(int arch, int mode, _Out_ void **uc)'),
    close: lib.func('int uc_close(void *uc)'),
    memMapPtr: lib.func('int uc_mem_map_ptr(void *uc, uint64_t address, size_t size, uint32_t perms, uintptr_t ptr)'),
    regRead: lib.func('int uc_reg_read(void *uc, int regid, void *value)'),
    regWrite: lib.func('int uc_reg_write(void *uc, int regid, void *value)'),
    regReadBatch,
    emuStart: lib.func('int uc_emu_start(void *uc, uint64_t begin, uint64_t until, uint64_t timeout, size_t count)'),
    emuStop: lib.func('int uc_emu_stop(void *uc)'),
    hookAdd: (uc, out, type, cb, user, begin, end, ...variadic) => hookAdd(uc, out, type, cb, user, begin, end, ...variadic),
    hookDel: lib.func('int uc_hook_del(void *uc, size_t hh)'),
    contextSize: lib.func('size_t uc_context_size(void *uc)'),
    contextAlloc: lib.func('int uc_context_alloc(void *uc, _Out_ void **ctx)'),
    contextFree: lib.func('int uc_context_free(void *ctx)'),
    contextSave: lib.func('int uc_context_save(void *uc, void *ctx)'),
    contextRestore: lib.func('int uc_context_restore(void *uc, void *ctx)'),
    ctlRemoveCache: (uc, control, begin, end) => ctl(uc, control, 'uint64_t', begin, 'uint64_t', end),
    ctlNoArgs: (uc, control) => ctl(uc, control),
    ctlUseExits: (uc, control, on) => ctl(uc, control, 'int', on),
    ctlSetExits: (uc, control, exits, count) => ctl(uc, control, 'uint64_t *', exits, 'size_t', count),
    qemuGetCpu: lib.func('void *qemu_get_cpu_x86_64(void *uc, int index)'),
    tlbFlush: lib.func('void tlb_flush_x86_64(void *cpu)'),
    tlbFlushPage: lib.func('void tlb_flush_page_x86_64(void *cpu, uint64_t addr)'),
    IntrHook,
    CodeHook,
    MemoryHook,
    InvalidInstructionHook,
    MemEventHook,
  };
  return loaded;
}
