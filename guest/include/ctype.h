/* Character classes and case mapping (C99 7.4) in the "C" locale: ASCII.
   Arguments are an unsigned char's value or EOF, as the standard requires. */
#ifndef MMSCOPE_CTYPE_H
#define MMSCOPE_CTYPE_H

int isalnum(int c);
int isalpha(int c);
int isblank(int c);
int iscntrl(int c);
int isdigit(int c);
int isgraph(int c);
int islower(int c);
int isprint(int c);
int ispunct(int c);
int isspace(int c);
int isupper(int c);
int isxdigit(int c);
int tolower(int c);
int toupper(int c);

#endif
