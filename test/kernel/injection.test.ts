// The seed's injection story on real Windows programs (stock mingw-w64):
// injector.exe starts victim.exe, writes a DLL's name into it
// (VirtualAllocEx, WriteProcessMemory) and runs LoadLibraryA there
// (CreateRemoteThread, at the address kernel32's export has in every
// process); the DLL unlinks itself from the victim's PEB.Ldr in DllMain.
// The victim's own loader lists and GetModuleHandleA miss it; the kernel's
// walk of the victim's VAD tree finds it. Expected values: Windows'
// documented results (GetModuleHandleA NULL for a module the loader does not
// list, a remote thread's exit code its routine's return value), the
// module's name, and the pids the machine hands out (4, then 12).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectExited, runGuest } from '../helpers/guests.js';
import { mingwGuest, systemDllDirectory } from '../helpers/pe-guests.js';

const root = mkdtempSync(join(tmpdir(), 'mmscope-injection-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('DLL injection with CreateRemoteThread(LoadLibraryA)', () => {
  it('the victim\'s loader lists do not show the injected DLL; its VAD tree does', async () => {
    copyFileSync(mingwGuest(['guest/examples/pe/hidden-dll.c'], ['-shared'], 'hidden-dll.dll'), join(root, 'hidden-dll.dll'));
    copyFileSync(mingwGuest(['guest/examples/pe/victim.c']), join(root, 'victim.exe'));
    copyFileSync(mingwGuest(['guest/examples/pe/injector.c']), join(root, 'injector.exe'));
    const run = await runGuest(join(root, 'injector.exe'), { machine: { systemDllDirectory: systemDllDirectory(), fileRoot: root, checkInvariantsAfterServices: true } });
    expectExited(run, 0, 'injector.exe');
    const { stdout, machine, events } = run;

    const returned = /it returned ([0-9a-f]{8})/.exec(stdout);
    expect(returned, stdout).not.toBeNull();
    const base = parseInt(returned![1]!, 16);
    expect(stdout).toContain('hidden-dll.dll: DllMain(DLL_PROCESS_ATTACH) unlinked its entry from PEB.Ldr\n');
    expect(stdout).toContain(`injector: VirtualQueryEx(${returned![1]}) in process 12: MEM_IMAGE, allocation base ${returned![1]}\n`);
    // The victim's own view: the same four modules before and after, no handle for the DLL.
    expect(stdout).toContain('victim: PEB.Ldr at start: victim.exe ntdll.dll KERNEL32.dll msvcrt.dll\n');
    expect(stdout).toContain('victim: PEB.Ldr after the injection: victim.exe ntdll.dll KERNEL32.dll msvcrt.dll\n');
    expect(stdout).toContain('victim: GetModuleHandleA("hidden-dll.dll") = 00000000\n');
    expect(stdout).toContain('injector: victim.exe exited with 0\n');

    const [injector, victim] = machine.processes();
    expect([injector!.id, victim!.id, victim!.parentId, victim!.exitStatus]).toEqual([4, 12, 4, 0]);
    // The kernel's walk of the victim's VAD tree (kept at its exit for --modules) has the DLL at the base LoadLibraryA returned.
    expect(victim!.exitModules!.find((m) => m.name === 'C:\\hidden-dll.dll')?.base).toBe(base);
    // The injector never loaded it.
    expect(machine.modules().some((m) => m.name.endsWith('hidden-dll.dll'))).toBe(false);

    // The remote thread: created by pid 4, the victim's, started at ntdll's LoadLibraryA (kernel32's export forwards there).
    const remote = events.filter((e) => e.type === 'thread-create' && e.pid === 4 && e.ownerPid === 12).at(-1)!;
    expect(remote.startAddress >>> 0).toBeGreaterThanOrEqual(0x7c900000);
    expect(remote.startAddress >>> 0).toBeLessThan(0x7ca00000);
    expect(events.find((e) => e.type === 'thread-exit' && e.exitTid === remote.newTid)).toMatchObject({ pid: 12, status: base });
  });
});
