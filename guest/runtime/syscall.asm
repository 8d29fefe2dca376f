; mmscope_syscall(number, args): enter any NT service with a prepared
; argument block, for experiments with raw service numbers and bad pointers.
bits 32
section .text
global mmscope_syscall

mmscope_syscall:
    mov eax, [esp + 4]
    mov edx, [esp + 8]
    int 0x2e
    ret
