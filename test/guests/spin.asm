; Never ends: for --max-insns and --timeout.
bits 32
global main
section .text
main:
    jmp main
