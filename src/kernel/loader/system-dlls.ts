// What the kernel does for a PE process besides mapping its program, as
// Windows' PspCreateProcess/MmInitializeProcessAddressSpace do: map ntdll.dll
// (at its preferred base; it is never relocated) and find in its export
// directory where the first thread starts (LdrInitializeThunk), where
// exceptions are delivered (KiUserExceptionDispatcher) and where the threads
// the kernel creates later start (RtlUserThreadStart, Windows 7's: a remote
// thread needs it before any code of the process ran). The rest of process
// start (imports, TLS, DllMain) is ntdll's loader, in the guest.
import { join } from 'node:path';
import { dereferenceSection } from '../../mm/section.js';
import { mapViewOfSection } from '../../mm/section-view.js';
import { STATUS_DLL_NOT_FOUND, STATUS_ENTRYPOINT_NOT_FOUND, STATUS_OBJECT_NAME_NOT_FOUND, STATUS_SUCCESS, type NtStatus } from '../../nt/status.js';
import type { Process } from '../process.js';
import { imageOfSection, imageSectionForHostFile } from './image-sections.js';

/** The guest's name for the system directory (served read-only from the built SDK DLLs). */
export const SYSTEM32 = 'C:\\Windows\\System32';

export interface NtdllMapping {
  base: number;
  /** LdrInitializeThunk: the first user-mode instruction of a PE process. */
  loaderEntry: number;
  /** KiUserExceptionDispatcher. */
  exceptionDispatcher: number;
}

/** ntdll's exports the kernel starts user-mode code at (PspLookupKernelUserEntryPoints). */
const REQUIRED_EXPORTS = ['LdrInitializeThunk', 'KiUserExceptionDispatcher', 'RtlUserThreadStart'] as const;

/** The failure a PE process start reports: the NTSTATUS and a one-line reason naming the DLL or export. */
export interface SystemDllFailure { status: NtStatus; detail: string }

/** Maps ntdll.dll from `systemDirectory` (host path) into the process and sets its userThreadStart; a failure names what is missing. */
export function mapNtdll(process: Process, systemDirectory: string | undefined): NtdllMapping | SystemDllFailure {
  if (systemDirectory === undefined) return { status: STATUS_DLL_NOT_FOUND, detail: 'ntdll.dll: no system directory (build the SDK\'s system DLLs: src/toolchain/system-dlls.ts)' };
  const guestName = `${SYSTEM32}\\ntdll.dll`;
  const section = imageSectionForHostFile(process, join(systemDirectory, 'ntdll.dll'), guestName);
  if (typeof section === 'number') return { status: section === STATUS_OBJECT_NAME_NOT_FOUND ? STATUS_DLL_NOT_FOUND : section, detail: `${guestName} could not be mapped` };
  const image = imageOfSection(section);
  const view = mapViewOfSection(process.space, section, { base: 0, offset: 0, viewSize: 0, allocationType: 0, protect: 0 });
  if (!('vad' in view) || view.status !== STATUS_SUCCESS) {
    dereferenceSection(process.space, section);
    return { status: view.status, detail: `${guestName} could not be mapped at its base` };
  }
  const exportAddress = (name: string): number | undefined => {
    const rva = image?.pe?.exports.get(name);
    return rva === undefined ? undefined : (view.base + rva) >>> 0;
  };
  const missing = REQUIRED_EXPORTS.find((name) => exportAddress(name) === undefined);
  if (missing) return { status: STATUS_ENTRYPOINT_NOT_FOUND, detail: `${guestName} does not export ${missing}` };
  process.userThreadStart = exportAddress('RtlUserThreadStart');
  return { base: view.base, loaderEntry: exportAddress('LdrInitializeThunk')!, exceptionDispatcher: exportAddress('KiUserExceptionDispatcher')! };
}
