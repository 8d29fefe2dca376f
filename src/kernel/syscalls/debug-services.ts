// mmscope's own services for experiments: print the VAD tree or one
// address's PTE at this moment (and put the same dump in the trace), and,
// only when the user allowed experiments, damage the VAD tree on purpose.
import { STATUS_MEMORY_NOT_ALLOCATED, STATUS_PRIVILEGE_NOT_HELD, STATUS_SUCCESS } from '../../nt/status.js';
import type { NtService } from './nt-service.js';
import { mapStrayFrame } from '../../mm/experiments.js';
import { pteAddressOf } from '../../mm/layout.js';

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

/**
 * MmsExperimentRemoveVad(Address): takes the VAD holding Address out of the
 * tree and leaves its pages mapped, the way the seed warns a driver must
 * never do. The range looks free to the next allocation, which then finds
 * the old pages (and their data) still there. Refused unless the machine
 * was created with allowExperiments (mmscope run --allow-experiments).
 */
export const MmsExperimentRemoveVad: NtService = {
  number: 0x1003,
  name: 'MmsExperimentRemoveVad',
  argCount: 1,
  handler({ process }, [address]) {
    if (!process.experimentsAllowed) return STATUS_PRIVILEGE_NOT_HELD;
    const vad = process.space.findVad(address!);
    if (!vad) return STATUS_MEMORY_NOT_ALLOCATED;
    process.space.vads.remove(vad);
    process.space.damagedByExperiment = true;
    return STATUS_SUCCESS;
  },
};

/**
 * MmsExperimentMapFrame(Address): the seed's opening question — attach a
 * physical page by hand where no VAD is and see whether it can be used. A
 * zeroed frame gets a valid user read-write PTE at Address's page, with no
 * VAD and no commit (see mm/experiments.ts for the statuses). Refused with
 * STATUS_PRIVILEGE_NOT_HELD unless experiments are allowed.
 */
export const MmsExperimentMapFrame: NtService = {
  number: 0x1004,
  name: 'MmsExperimentMapFrame',
  argCount: 1,
  handler({ process, trace }, [address]) {
    if (!process.experimentsAllowed) return STATUS_PRIVILEGE_NOT_HELD;
    const result = mapStrayFrame(process.space, address!);
    if (result.pfn !== undefined) {
      trace.emit({ type: 'experiment', name: 'MmsExperimentMapFrame', address: address!, pfn: result.pfn, pteAddress: pteAddressOf(address!), pteAfter: result.pte });
    }
    return result.status;
  },
};
