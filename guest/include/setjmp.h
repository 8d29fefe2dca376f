/* setjmp/longjmp for i386: saves EBX, ESI, EDI, EBP, ESP and the return
   address, so C code can recover from a caught exception. */
#ifndef MMSCOPE_SETJMP_H
#define MMSCOPE_SETJMP_H

#ifdef _WIN32
/* A PE program uses msvcrt's: _setjmp3 with its 64-byte _JUMP_BUFFER, as mingw's setjmp.h does. */
typedef int jmp_buf[16];
int _setjmp3(jmp_buf env, int count, ...) __attribute__((returns_twice));
#define setjmp(env) _setjmp3((env), 0)
#else
typedef int jmp_buf[6];
int setjmp(jmp_buf env) __attribute__((returns_twice));
#endif
void longjmp(jmp_buf env, int value) __attribute__((noreturn));

#endif
