; VOID WINAPI RaiseException(DWORD Code, DWORD Flags, DWORD NumberOfArguments, const ULONG_PTR *Arguments)
; Captures the caller's registers as they will be once RaiseException has
; returned (EIP the return address, ESP past the four arguments, EBX, ESI,
; EDI and EBP unchanged), so a handler that continues execution resumes
; right after the call, as on Windows. mms_raise_exception (exceptions.c)
; builds the record and calls NtRaiseException.
bits 32
section .text
global RaiseException
extern mms_raise_exception

CONTEXT_SIZE equ 0x2cc
CONTEXT_FULL equ 0x00010007

RaiseException:
    push ebp
    mov ebp, esp
    sub esp, CONTEXT_SIZE + 32
    and esp, -16
    push edi
    lea edi, [esp + 4 + 32]         ; the CONTEXT, above the outgoing arguments
    xor eax, eax
    mov ecx, CONTEXT_SIZE / 4
    rep stosd
    pop edi
    lea eax, [esp + 32]
    mov dword [eax], CONTEXT_FULL
    mov [eax + 0x9c], edi
    mov [eax + 0xa0], esi
    mov [eax + 0xa4], ebx
    mov ecx, [ebp]
    mov [eax + 0xb4], ecx           ; Ebp: the caller's
    mov ecx, [ebp + 4]
    mov [eax + 0xb8], ecx           ; Eip: the return address
    lea ecx, [ebp + 24]
    mov [eax + 0xc4], ecx           ; Esp: after `ret 16`
    pushfd
    pop ecx
    mov [eax + 0xc0], ecx
    mov cx, cs
    mov [eax + 0xbc], ecx
    mov cx, ss
    mov [eax + 0xc8], ecx
    mov cx, ds
    mov [eax + 0x98], ecx
    mov cx, es
    mov [eax + 0x94], ecx
    mov cx, fs
    mov [eax + 0x90], ecx
    mov cx, gs
    mov [eax + 0x8c], ecx
    ; mms_raise_exception(context, code, flags, count, arguments), cdecl
    mov [esp], eax
    mov ecx, [ebp + 8]
    mov [esp + 4], ecx
    mov ecx, [ebp + 12]
    mov [esp + 8], ecx
    mov ecx, [ebp + 16]
    mov [esp + 12], ecx
    mov ecx, [ebp + 20]
    mov [esp + 16], ecx
    call mms_raise_exception        ; returns only if the exception could not be raised
    mov esp, ebp
    pop ebp
    ret 16
