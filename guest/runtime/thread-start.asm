; RtlUserThreadStart: where NtCreateThreadEx starts every new thread (as
; ntdll's does on Windows 7): EAX = the start routine, EBX = its argument.
; Calls the routine (stdcall, one argument) and ends the thread with its
; return value (RtlExitUserThread's NtTerminateThread(NtCurrentThread(), …)),
; so it needs nothing of the runtime: a remote thread may run it in a
; process whose start-up code never ran. The kernel leaves ESP 16-byte
; aligned. crt0 keeps it in every program, where the kernel finds it.
bits 32
; In an ELF program, after all other code (image.ld), so that linking it into
; every program moves no other function.
%ifidn __OUTPUT_FORMAT__, win32
section .text
%else
section .mms_last_text progbits alloc exec nowrite align=16
%endif
global RtlUserThreadStart
; kernel32.dll assembles this with `-f win32 --prefix _`, where the stdcall
; NtTerminateThread (imported from ntdll) is `_NtTerminateThread@8`.
%ifidn __OUTPUT_FORMAT__, win32
  %define TERMINATE_THREAD NtTerminateThread@8
%else
  %define TERMINATE_THREAD NtTerminateThread
%endif
extern TERMINATE_THREAD

RtlUserThreadStart:
    xor ebp, ebp            ; outermost frame for debuggers
    sub esp, 12             ; keep the call 16-byte aligned (SysV i386)
    push ebx
    call eax
    push eax                ; ExitStatus
    push -2                 ; NtCurrentThread()
    call TERMINATE_THREAD
    hlt                     ; not reached
