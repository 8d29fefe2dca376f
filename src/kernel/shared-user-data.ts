// KUSER_SHARED_DATA: the page every process sees read-only at 0x7FFE0000
// (the memory manager maps it: mm/fixed-regions.ts), filled here with the
// fields a program may read, at the offsets of Windows 10/11's ntddk.h
// (they are the same on Windows XP for every field written here).
//
// Time comes from the kernel's clock (system-clock.ts: the host's monotonic
// clock while the guest runs, moved ahead when the thread sleeps).
// InterruptTime and SystemTime are its two readings; TickCount counts
// 15.625 ms clock ticks of InterruptTime (KeMaximumIncrement = 156,250 ×
// 100 ns), so GetTickCount = TickCount × TickCountMultiplier >> 24 moves in
// steps of 15 or 16 ms as on Windows. The kernel brings the page up to date
// whenever it returns to user mode (after every system call, page fault and
// exception), so a program reading it after Sleep sees the time slept; a loop
// that reads the page without ever entering the kernel sees the time of its
// last entry (Windows' clock interrupt would move it on meanwhile).
import { PAGE_SIZE, type Pfn } from '../mm/layout.js';
import type { SystemClock } from './system-clock.js';

/** KUSER_SHARED_DATA offsets (x86), as ntddk.h's C_ASSERTs give them. */
export const KUSER_SHARED_DATA = {
  TickCountLowDeprecated: 0x000,
  TickCountMultiplier: 0x004,
  InterruptTime: 0x008,
  SystemTime: 0x014,
  TimeZoneBias: 0x020,
  ImageNumberLow: 0x02c,
  ImageNumberHigh: 0x02e,
  NtSystemRoot: 0x030,
  NtProductType: 0x264,
  ProductTypeIsValid: 0x268,
  NativeProcessorArchitecture: 0x26a,
  NtMajorVersion: 0x26c,
  NtMinorVersion: 0x270,
  NumberOfPhysicalPages: 0x2e8,
  TickCount: 0x320,
} as const;

/** KeMaximumIncrement: one clock tick in 100 ns units (15.625 ms). */
export const CLOCK_TICK_100NS = 156_250n;
/** 2^24 × ms per tick: GetTickCount's fixed-point multiplier (0x0FA00000). */
export const TICK_COUNT_MULTIPLIER = 0x0fa00000;
const IMAGE_FILE_MACHINE_I386 = 0x14c;
const NT_PRODUCT_WIN_NT = 1;
const SYSTEM_ROOT = 'C:\\WINDOWS';

export interface SharedUserDataInit {
  /** Physical pages the machine has (KUSER_SHARED_DATA.NumberOfPhysicalPages). */
  numberOfPhysicalPages: number;
}

/** Writes the page's constant fields once and its clock fields on every `update(clock)`. */
export class SharedUserData {
  private readonly view: DataView;

  constructor(ram: Uint8Array, pfn: Pfn, init: SharedUserDataInit) {
    this.view = new DataView(ram.buffer, ram.byteOffset + pfn * PAGE_SIZE, PAGE_SIZE);
    const v = this.view, k = KUSER_SHARED_DATA;
    v.setUint32(k.TickCountMultiplier, TICK_COUNT_MULTIPLIER, true);
    v.setUint16(k.ImageNumberLow, IMAGE_FILE_MACHINE_I386, true);
    v.setUint16(k.ImageNumberHigh, IMAGE_FILE_MACHINE_I386, true);
    [...SYSTEM_ROOT].forEach((c, i) => v.setUint16(k.NtSystemRoot + i * 2, c.charCodeAt(0), true));
    v.setUint32(k.NtProductType, NT_PRODUCT_WIN_NT, true);
    v.setUint8(k.ProductTypeIsValid, 1);
    v.setUint16(k.NativeProcessorArchitecture, 0, true); // PROCESSOR_ARCHITECTURE_INTEL
    v.setUint32(k.NtMajorVersion, 10, true);
    v.setUint32(k.NtMinorVersion, 0, true);
    v.setUint32(k.NumberOfPhysicalPages, init.numberOfPhysicalPages, true);
  }

  /** Brings InterruptTime, SystemTime and TickCount up to the kernel's clock (on every kernel entry: no BigInt work). */
  update(clock: SystemClock): void {
    const interrupt = clock.interruptTime100ns();
    const ticks = Math.floor(interrupt / CLOCK_TICK_100NS_NUMBER);
    this.writeSystemTime(KUSER_SHARED_DATA.InterruptTime, Math.floor(interrupt / TWO_32), interrupt % TWO_32);
    const systemLow = clock.bootSystemTimeLow + interrupt;
    this.writeSystemTime(KUSER_SHARED_DATA.SystemTime, clock.bootSystemTimeHigh + Math.floor(systemLow / TWO_32), systemLow % TWO_32);
    this.writeSystemTime(KUSER_SHARED_DATA.TickCount, Math.floor(ticks / TWO_32), ticks % TWO_32);
    this.view.setUint32(KUSER_SHARED_DATA.TickCountLowDeprecated, ticks % TWO_32, true);
  }

  /**
   * A KSYSTEM_TIME: LowPart, High1Time, High2Time. Windows writes High2Time
   * first and High1Time last so a reader comparing them sees a torn update;
   * the guest is stopped while the kernel runs, but the order is kept.
   */
  private writeSystemTime(offset: number, high: number, low: number): void {
    this.view.setUint32(offset + 8, high, true);
    this.view.setUint32(offset, low, true);
    this.view.setUint32(offset + 4, high, true);
  }
}

const TWO_32 = 2 ** 32;
const CLOCK_TICK_100NS_NUMBER = Number(CLOCK_TICK_100NS);
