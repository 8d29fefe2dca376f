; A flat binary (nasm -f bin) at 0x00400000 using the Linux personality.
bits 32
org 0x00400000
    mov eax, 4
    mov ebx, 1
    mov ecx, message
    mov edx, message_len
    int 0x80
    mov eax, 1
    mov ebx, 3
    int 0x80
message: db "flat binary", 10
message_len equ $ - message
