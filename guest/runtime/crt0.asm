; Process entry: the kernel leaves argc, argv[], NULL, envp NULL, auxv on the
; stack (the i386 System V start-up block). Call main(argc, argv) and exit
; with its return value. First it tells the kernel where the exception
; dispatcher is, creates the process heap, starts the loader's module
; list (ntdll's loader does all three on Windows) and records the command
; line GetCommandLineA returns.
bits 32
section .text.entry
global _start
extern main
extern exit
extern KiUserExceptionDispatcher
extern MmsRegisterExceptionDispatcher
extern mms_create_process_heap
extern mms_initialize_loader
extern mms_initialize_command_line
extern RtlUserThreadStart

_start:
    xor ebp, ebp            ; outermost frame for debuggers
    push KiUserExceptionDispatcher
    call MmsRegisterExceptionDispatcher   ; stdcall: pops its argument
    call mms_create_process_heap
    push dword [esp + 4]    ; argv[0]: the program, the loader list's first module
    call mms_initialize_loader
    add esp, 4
    lea ecx, [esp + 4]      ; argv
    push ecx
    push dword [esp + 4]    ; argc
    call mms_initialize_command_line
    add esp, 8
    mov eax, [esp]          ; argc
    lea ecx, [esp + 4]      ; argv
    and esp, -16            ; the SysV ABI wants a 16-byte aligned stack at calls
    sub esp, 8
    push ecx
    push eax
    call main
    mov [esp], eax
    call exit
    hlt                     ; not reached: exit does not return

; Every thread but the first starts at RtlUserThreadStart, which the kernel
; finds in the program's symbol table (as Windows' kernel knows ntdll's), a
; remote thread's too: this reference keeps it in every program, even one
; that never calls CreateThread. The section is discarded at link time
; (image.ld), so nothing else in the image moves.
section .note.mms_thread_start noalloc
    dd RtlUserThreadStart
