// Services the user-mode exception dispatcher needs: register itself,
// continue with a (possibly edited) CONTEXT, or give an exception up.
import { isUserAddress } from '../../mm/layout.js';
import { STATUS_INVALID_PARAMETER, STATUS_SUCCESS } from '../../nt/status.js';
import { CONTEXT_SIZE, EXCEPTION_RECORD_SIZE, decodeContext, decodeExceptionRecord } from '../x86-context.js';
import type { NtService } from './nt-service.js';
import { reportOfRecord } from '../exception-dispatch.js';

/** NtContinue(ContextRecord, TestAlert): resume with the registers in the CONTEXT. */
export const NtContinue: NtService = {
  number: 0x20,
  name: 'NtContinue',
  argCount: 2,
  replacesRegisters: true,
  handler({ process, thread }, [contextRecord]) {
    const registers = decodeContext(process.memory.read(contextRecord!, CONTEXT_SIZE));
    thread.write(registers);
    return STATUS_SUCCESS;
  },
};

/** NtRaiseException(ExceptionRecord, ContextRecord, FirstChance) */
export const NtRaiseException: NtService = {
  number: 0xb5,
  name: 'NtRaiseException',
  argCount: 3,
  replacesRegisters: true,
  handler({ process, thread, exceptions }, [recordAddress, contextRecord, firstChance]) {
    const record = decodeExceptionRecord(process.memory.read(recordAddress!, EXCEPTION_RECORD_SIZE));
    const context = decodeContext(process.memory.read(contextRecord!, CONTEXT_SIZE));
    if (!firstChance) {
      exceptions.raiseUnhandled(record, context);
      return STATUS_SUCCESS;
    }
    thread.write(context);
    exceptions.raise(reportOfRecord(record, record.address), context, record);
    return STATUS_SUCCESS;
  },
};

/** MmsRegisterExceptionDispatcher(Dispatcher): mmscope's stand-in for the kernel knowing ntdll's KiUserExceptionDispatcher. */
export const MmsRegisterExceptionDispatcher: NtService = {
  number: 0x1002,
  name: 'MmsRegisterExceptionDispatcher',
  argCount: 1,
  handler({ exceptions }, [dispatcher]) {
    if (!isUserAddress(dispatcher!)) return STATUS_INVALID_PARAMETER;
    exceptions.userDispatcher = dispatcher!;
    return STATUS_SUCCESS;
  },
};
