// A virtual address descriptor: one reserved range of the user address
// space, with the flags Windows keeps in MMVAD_FLAGS.
import { addressOfVpn, type Vpn } from './layout.js';
import type { ProtectionMask } from './protection.js';
import type { ControlArea } from './section.js';

/** _MI_VAD_TYPE */
export enum VadType {
  VadNone = 0,
  VadDevicePhysicalMemory = 1,
  VadImageMap = 2,
  VadAwe = 3,
  VadWriteWatch = 4,
  VadLargePages = 5,
  VadRotatePhysical = 6,
  VadLargePageSection = 7,
}

/** What a view's VAD knows beyond a private one (_MMVAD.ControlArea, FirstPrototypePte). */
export interface ViewInfo {
  controlArea: ControlArea;
  firstPrototypePte: number;
  /** The section's page protection (SegmentPteTemplate's), which commits and VirtualProtect are checked against. */
  sectionProtection?: ProtectionMask;
  /**
   * Per page of the view, a protection given by a commit or VirtualProtect
   * after mapping (0: none, the view's own applies). Windows keeps it in the
   * view's PTEs; mmscope keeps it here beside them, because a valid x86 PTE
   * cannot tell PAGE_EXECUTE_READ from PAGE_READONLY.
   */
  pageProtection?: Uint8Array;
}

export interface VadInit {
  startingVpn: Vpn;
  endingVpn: Vpn;
  protection: ProtectionMask;
  privateMemory: boolean;
  memCommit: boolean;
  vadType?: VadType;
  /** A view of a section: its control area and the prototype PTE of the view's first page. */
  view?: ViewInfo;
  /** MEM_WRITE_WATCH: keep a written-page bitmap (the VAD becomes VadWriteWatch). */
  writeWatch?: boolean;
}

export class Vad {
  readonly startingVpn: Vpn;
  readonly endingVpn: Vpn;
  /** MMVAD_FLAGS.Protection: the protection given when the range was allocated. */
  protection: ProtectionMask;
  privateMemory: boolean;
  /** Pages of commit charged to this VAD. */
  commitCharge = 0;
  memCommit: boolean;
  vadType: VadType;
  /** _MMVAD.ControlArea and FirstPrototypePte, for a view of a section. */
  readonly view: ViewInfo | undefined;
  /**
   * Write watch (VadWriteWatch): one byte per page, 1 when the page was
   * written since the allocation or the last reset and the PTE's Dirty bit
   * no longer says so (it was cleared or the PTE invalidated). A page was
   * written if its byte is 1 or its valid PTE is Dirty (src/mm/write-watch.ts).
   */
  readonly writeWatch: Uint8Array | undefined;

  // AVL links and subtree summaries, owned by VadTree.
  left: Vad | null = null;
  right: Vad | null = null;
  height = 1;
  /** Lowest StartingVpn and highest EndingVpn in this subtree. */
  subtreeStartingVpn = 0;
  subtreeEndingVpn = 0;
  /** Largest run of free pages between two VADs of this subtree (0 if none). */
  subtreeLargestGap = 0;

  constructor(init: VadInit) {
    this.startingVpn = init.startingVpn;
    this.endingVpn = init.endingVpn;
    this.protection = init.protection;
    this.privateMemory = init.privateMemory;
    this.memCommit = init.memCommit;
    this.vadType = init.writeWatch ? VadType.VadWriteWatch : init.vadType ?? VadType.VadNone;
    this.view = init.view;
    this.writeWatch = init.writeWatch ? new Uint8Array(this.endingVpn - this.startingVpn + 1) : undefined;
  }

  get startAddress(): number { return addressOfVpn(this.startingVpn); }
  /** One past the last byte. */
  get endAddress(): number { return addressOfVpn(this.endingVpn + 1); }
  get pageCount(): number { return this.endingVpn - this.startingVpn + 1; }
  containsVpn(vpn: Vpn): boolean { return vpn >= this.startingVpn && vpn <= this.endingVpn; }
}
