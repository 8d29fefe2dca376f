; LdrInitializeThunk: where the kernel starts a PE process's first thread
; (as Windows' ntdll). The kernel leaves the start-up block on the stack
; (argc, argv[], NULL): LdrpInitialize builds the process parameters from
; it, loads the program's DLLs, runs their initialisers and calls the
; program's entry point; it never returns.
bits 32
section .text code
global LdrInitializeThunk
extern LdrpInitialize@4

LdrInitializeThunk:
    xor ebp, ebp            ; the outermost frame, for debuggers
    mov eax, esp
    and esp, -16
    sub esp, 12
    push eax                ; ULONG *startup: argc, then argv[]
    call LdrpInitialize@4
    hlt
