; RtlUserThreadStart: where NtCreateThreadEx starts every new thread (as
; ntdll's does on Windows 7): EAX = the start routine, EBX = its argument.
; Calls the routine (stdcall, one argument) and ends the thread with its
; return value. The kernel leaves ESP 16-byte aligned.
bits 32
section .text
global RtlUserThreadStart
; kernel32.dll assembles this with `-f win32 --prefix _`, where C's stdcall
; ExitThread is `_ExitThread@4`; the ELF runtime's is plain `ExitThread`.
%ifidn __OUTPUT_FORMAT__, win32
  %define EXIT_THREAD ExitThread@4
%else
  %define EXIT_THREAD ExitThread
%endif
extern EXIT_THREAD

RtlUserThreadStart:
    xor ebp, ebp            ; outermost frame for debuggers
    sub esp, 12             ; keep the call 16-byte aligned (SysV i386)
    push ebx
    call eax
    push eax
    call EXIT_THREAD
    hlt                     ; not reached
