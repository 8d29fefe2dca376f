; RtlUserThreadStart: where NtCreateThreadEx starts every new thread (as
; ntdll's does on Windows 7): EAX = the start routine, EBX = its argument.
; Calls the routine (stdcall, one argument) and ends the thread with its
; return value. The kernel leaves ESP 16-byte aligned.
bits 32
section .text
global RtlUserThreadStart
extern ExitThread

RtlUserThreadStart:
    xor ebp, ebp            ; outermost frame for debuggers
    sub esp, 12             ; keep the call 16-byte aligned (SysV i386)
    push ebx
    call eax
    push eax
    call ExitThread
    hlt                     ; not reached
