; A static Linux i386 program (int 0x80, no SDK): it runs unchanged under
; mmscope's Linux personality and under qemu-i386.
bits 32
global _start

section .rodata
message:    db "Hello via int 0x80", 10
message_len equ $ - message

section .text
_start:
    mov eax, 4              ; write
    mov ebx, 1              ; stdout
    mov ecx, message
    mov edx, message_len
    int 0x80
    mov eax, 1              ; exit
    mov ebx, 42
    int 0x80
