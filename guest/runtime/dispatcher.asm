; KiUserExceptionDispatcher: where the kernel resumes a thread that raised an
; exception. The stack holds [esp] = EXCEPTION_RECORD *, [esp+4] = CONTEXT *.
bits 32
section .text
global KiUserExceptionDispatcher
extern mms_dispatch_exception

KiUserExceptionDispatcher:
    mov ecx, [esp]
    mov edx, [esp + 4]
    and esp, -16
    sub esp, 8
    push edx
    push ecx
    call mms_dispatch_exception     ; never returns
    hlt
