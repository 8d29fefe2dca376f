// The one place that says how guest programs are compiled, assembled and
// linked. Everything that builds a guest (CLI, tests, benchmarks) goes
// through here.

/** C: freestanding i386, no PIC, only gcc's own headers plus the SDK's. */
// -fstack-clash-protection touches every page of a large stack frame from
// the top down, as MSVC's _chkstk does on Windows: the stack grows through
// its single guard page, so no frame may skip over it.
export const CC_FLAGS = [
  '-m32', '-march=i686', '-O2', '-std=gnu11', '-ffreestanding', '-fno-builtin', '-fno-pic', '-fno-pie',
  '-fno-stack-protector', '-fstack-clash-protection', '-fno-asynchronous-unwind-tables', '-fno-unwind-tables',
  '-fcf-protection=none', '-nostdinc', '-Wall', '-Wextra', '-Wno-unused-parameter',
];

/** nasm: 32-bit ELF objects. */
export const NASM_FLAGS = ['-f', 'elf32'];

/** Link: static ET_EXEC at 0x00400000 through the SDK's linker script; libgcc for 64-bit arithmetic. */
export const LINK_FLAGS = ['-m32', '-static', '-nostdlib', '-no-pie', '-Wl,--build-id=none', '-Wl,-z,noexecstack', '-Wl,--no-warn-rwx-segments'];
export const LINK_LIBRARIES = ['-lgcc'];
