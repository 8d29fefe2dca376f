/* The entry point of a PE program built with the SDK (mmscope build --pe),
   the PE counterpart of crt0.asm: ntdll's loader has already created the
   process heap, registered the exception dispatcher and filled the loader
   lists, so what is left is msvcrt's: the arguments from the command line
   (__getmainargs), main(argc, argv, envp), and exit with its value. */
typedef struct { int newmode; } _startupinfo;

int __getmainargs(int *argc, char ***argv, char ***envp, int expand_wildcards, _startupinfo *info);
void __set_app_type(int type);
void _amsg_exit(int error) __attribute__((noreturn));
void exit(int status) __attribute__((noreturn));
int main(int argc, char **argv, char **envp);

#define _CONSOLE_APP 1
#define _RT_SPACEARG 8   /* msvcrt's "not enough space for arguments" */

/* gcc calls __main at the top of main on targets without .init sections; the SDK has no constructors to run. */
void __main(void) {}

void __attribute__((noreturn, force_align_arg_pointer)) mainCRTStartup(void) {
  int argc;
  char **argv, **envp;
  _startupinfo info = { 0 };
  __set_app_type(_CONSOLE_APP);
  if (__getmainargs(&argc, &argv, &envp, 0, &info) < 0) _amsg_exit(_RT_SPACEARG);
  exit(main(argc, argv, envp));
}
