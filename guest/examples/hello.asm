; Hello in nasm against the SDK: main is called by the SDK's crt0 and calls
; NtWriteFile itself (stdcall: the service pops its nine arguments).
bits 32
extern NtWriteFile
global main

section .rodata
message:    db "Hello from nasm in ring 3!", 10
message_len equ $ - message

section .bss
io_status:  resd 2

section .text
main:
    push 0                  ; Key
    push 0                  ; ByteOffset
    push message_len        ; Length
    push message            ; Buffer
    push io_status          ; IoStatusBlock
    push 0                  ; ApcContext
    push 0                  ; ApcRoutine
    push 0                  ; Event
    push 7                  ; FileHandle: standard output
    call NtWriteFile
    xor eax, eax            ; return 0 from main
    ret
