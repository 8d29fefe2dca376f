/* assert (C99 7.2), as the Microsoft C runtime reports a failed one: the
   message "Assertion failed: EXPR, file FILE, line N" on stderr, then
   abort() (exit status 3). Defining NDEBUG before including it turns
   assert into nothing. This header may be included again with NDEBUG
   changed, as the standard allows. */
#undef assert
#ifdef NDEBUG
#define assert(expression) ((void)0)
#else
#define assert(expression) ((expression) ? (void)0 : _assert(#expression, __FILE__, __LINE__))
#endif

#ifndef MMSCOPE_ASSERT_H
#define MMSCOPE_ASSERT_H
void _assert(const char *message, const char *file, unsigned line) __attribute__((noreturn));
#if !defined(__cplusplus) && !defined(static_assert)
#define static_assert _Static_assert
#endif
#endif
