// Records what the report's timeline needs while the guest runs: every page
// fault (when, how it ended, which instruction) and the commit charge and
// resident pages each time they change.
import type { Machine } from '../kernel/machine.js';
import type { PageFaultEvent } from '../trace/events.js';

export interface RecordedFault {
  timeUs: number;
  resolution: PageFaultEvent['resolution'];
  eip: number;
  instruction?: string;
}

/** A counter's value from `timeUs` on. */
export interface CounterPoint { timeUs: number; pages: number }

export class FaultRecorder {
  readonly faults: RecordedFault[] = [];
  readonly commit: CounterPoint[] = [];
  readonly resident: CounterPoint[] = [];
  endUs = 0;

  /** Subscribes to `machine`'s trace; the samples are read inside each event, while the kernel's state is consistent. */
  constructor(private readonly machine: Machine) {
    machine.trace.subscribe((event) => {
      this.endUs = event.timeUs;
      if (event.type === 'page-fault') {
        this.faults.push({ timeUs: event.timeUs, resolution: event.resolution, eip: event.eip, ...(event.instruction ? { instruction: event.instruction } : {}) });
      }
      this.sample(event.timeUs);
    });
  }

  /** The counters at `timeUs`, kept only when they changed. */
  sample(timeUs: number): void {
    addPoint(this.commit, timeUs, this.machine.commit().processPages);
    addPoint(this.resident, timeUs, this.machine.frameCounts().active);
  }
}

function addPoint(points: CounterPoint[], timeUs: number, pages: number): void {
  if (points.at(-1)?.pages !== pages) points.push({ timeUs, pages });
}
