/* User-mode exception dispatch: the kernel puts an EXCEPTION_RECORD and a
   CONTEXT on the stack and resumes in KiUserExceptionDispatcher (see
   dispatcher.asm), which calls mms_dispatch_exception. Vectored handlers run
   in order, then the unhandled-exception filter; a handler that returns
   EXCEPTION_CONTINUE_EXECUTION resumes the (possibly edited) context through
   NtContinue. Otherwise the exception is unhandled and the kernel ends the
   process with its code. */
#include <windows.h>
#include <ntdll.h>

#define MAX_VECTORED_HANDLERS 64

typedef struct vectored_entry {
  PVECTORED_EXCEPTION_HANDLER handler;
} vectored_entry;

static vectored_entry entries[MAX_VECTORED_HANDLERS];
static vectored_entry *order[MAX_VECTORED_HANDLERS]; /* call order */
static unsigned count;
static LPTOP_LEVEL_EXCEPTION_FILTER unhandled_filter;

PVOID WINAPI AddVectoredExceptionHandler(ULONG first, PVECTORED_EXCEPTION_HANDLER handler) {
  if (!handler || count == MAX_VECTORED_HANDLERS) return NULL;
  vectored_entry *entry = 0;
  for (unsigned i = 0; i < MAX_VECTORED_HANDLERS && !entry; i++) if (!entries[i].handler) entry = &entries[i];
  entry->handler = handler;
  if (first) {
    for (unsigned i = count; i > 0; i--) order[i] = order[i - 1];
    order[0] = entry;
  } else {
    order[count] = entry;
  }
  count++;
  return entry;
}

ULONG WINAPI RemoveVectoredExceptionHandler(PVOID handle) {
  for (unsigned i = 0; i < count; i++) {
    if (order[i] != handle) continue;
    order[i]->handler = 0;
    for (unsigned j = i; j + 1 < count; j++) order[j] = order[j + 1];
    count--;
    return 1;
  }
  return 0;
}

LPTOP_LEVEL_EXCEPTION_FILTER WINAPI SetUnhandledExceptionFilter(LPTOP_LEVEL_EXCEPTION_FILTER filter) {
  LPTOP_LEVEL_EXCEPTION_FILTER previous = unhandled_filter;
  unhandled_filter = filter;
  return previous;
}

void mms_dispatch_exception(PEXCEPTION_RECORD record, PCONTEXT context) __attribute__((noreturn, used));

/* Continuing a non-continuable exception is itself an exception, as in RtlDispatchException. */
static void __attribute__((noreturn)) continue_with(PEXCEPTION_RECORD record, PCONTEXT context) {
  if (record->ExceptionFlags & EXCEPTION_NONCONTINUABLE) {
    EXCEPTION_RECORD nested = { STATUS_NONCONTINUABLE_EXCEPTION, EXCEPTION_NONCONTINUABLE, record, record->ExceptionAddress, 0, { 0 } };
    NtRaiseException(&nested, context, FALSE);
  }
  NtContinue(context, FALSE);
  for (;;) {}
}

void mms_dispatch_exception(PEXCEPTION_RECORD record, PCONTEXT context) {
  EXCEPTION_POINTERS pointers = { record, context };
  for (unsigned i = 0; i < count; i++) {
    if (order[i]->handler(&pointers) == EXCEPTION_CONTINUE_EXECUTION) continue_with(record, context);
  }
  if (unhandled_filter && unhandled_filter(&pointers) == EXCEPTION_CONTINUE_EXECUTION) continue_with(record, context);
  NtRaiseException(record, context, FALSE); /* the kernel ends the process */
  for (;;) {}
}

void mms_raise_exception(PCONTEXT context, DWORD code, DWORD flags, DWORD count, const ULONG_PTR *arguments) __attribute__((used));

/* RaiseException's second half (raise.asm captured the caller's context). */
void mms_raise_exception(PCONTEXT context, DWORD code, DWORD flags, DWORD count, const ULONG_PTR *arguments) {
  EXCEPTION_RECORD record = { code, flags & EXCEPTION_NONCONTINUABLE, NULL, (PVOID)context->Eip, 0, { 0 } };
  if (arguments) {
    record.NumberParameters = count > EXCEPTION_MAXIMUM_PARAMETERS ? EXCEPTION_MAXIMUM_PARAMETERS : count;
    for (DWORD i = 0; i < record.NumberParameters; i++) record.ExceptionInformation[i] = arguments[i];
  }
  NtRaiseException(&record, context, TRUE);
}
