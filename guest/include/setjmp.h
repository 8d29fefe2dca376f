/* setjmp/longjmp for i386: saves EBX, ESI, EDI, EBP, ESP and the return
   address, so C code can recover from a caught exception. */
#ifndef MMSCOPE_SETJMP_H
#define MMSCOPE_SETJMP_H

typedef int jmp_buf[6];

int setjmp(jmp_buf env) __attribute__((returns_twice));
void longjmp(jmp_buf env, int value) __attribute__((noreturn));

#endif
