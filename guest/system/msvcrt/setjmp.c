/* setjmp/longjmp with msvcrt's i386 jump buffer (_JUMP_BUFFER: Ebp, Ebx,
   Edi, Esi, Esp, Eip, Registration, TryLevel, ...), which mingw's setjmp.h
   reaches through _setjmp3 (jmp_buf, count, ...) and longjmp. There are no
   SEH frames to unwind (mmscope's exceptions go to vectored handlers), so
   Registration and TryLevel are stored and not used. */
__asm__(
  ".text\n"
  ".globl __setjmp3\n"
  ".globl __setjmp\n"
  "__setjmp3:\n"
  "__setjmp:\n"
  "  movl 4(%esp), %edx\n"        /* the buffer */
  "  movl %ebp, 0(%edx)\n"
  "  movl %ebx, 4(%edx)\n"
  "  movl %edi, 8(%edx)\n"
  "  movl %esi, 12(%edx)\n"
  "  leal 4(%esp), %eax\n"        /* the caller's esp once setjmp has returned */
  "  movl %eax, 16(%edx)\n"
  "  movl 0(%esp), %eax\n"
  "  movl %eax, 20(%edx)\n"       /* the return address */
  "  movl %fs:0, %eax\n"
  "  movl %eax, 24(%edx)\n"       /* Registration: the SEH chain head */
  "  movl $-1, 28(%edx)\n"        /* TryLevel */
  "  xorl %eax, %eax\n"
  "  ret\n"
  ".globl _longjmp\n"
  "_longjmp:\n"
  "  movl 4(%esp), %edx\n"
  "  movl 8(%esp), %eax\n"
  "  testl %eax, %eax\n"
  "  jnz 1f\n"
  "  incl %eax\n"                 /* longjmp(buf, 0) returns 1 */
  "1:\n"
  "  movl 0(%edx), %ebp\n"
  "  movl 4(%edx), %ebx\n"
  "  movl 8(%edx), %edi\n"
  "  movl 12(%edx), %esi\n"
  "  movl 16(%edx), %esp\n"
  "  jmp *20(%edx)\n"
);
