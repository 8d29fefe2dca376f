// mmscope's own services for experiments: print the VAD tree or one
// address's PTE at this moment (and put the same dump in the trace).
import { STATUS_SUCCESS } from '../../nt/status.js';
import type { NtService } from './nt-service.js';

export const MmsDumpVad: NtService = {
  number: 0x1000,
  name: 'MmsDumpVad',
  argCount: 0,
  handler({ dumps }) {
    dumps.dumpVads();
    return STATUS_SUCCESS;
  },
};

export const MmsDumpPte: NtService = {
  number: 0x1001,
  name: 'MmsDumpPte',
  argCount: 1,
  handler({ dumps }, [address]) {
    dumps.dumpPte(address!);
    return STATUS_SUCCESS;
  },
};
