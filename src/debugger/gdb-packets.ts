// The GDB remote serial protocol's framing: `$data#checksum` packets, `+`/`-`
// acknowledgements, `}`-escaping and run-length-free replies; hex helpers.
// (GDB manual, "Remote Protocol": Overview, Packets.)

/** Frames `data` as a packet: `$data#cc` with escaping of `$`, `#`, `}` and `*`. */
export function framePacket(data: string): string {
  const escaped = data.replace(/[$#}*]/g, (c) => `}${String.fromCharCode(c.charCodeAt(0) ^ 0x20)}`);
  let sum = 0;
  for (let i = 0; i < escaped.length; i++) sum = (sum + escaped.charCodeAt(i)) & 0xff;
  return `$${escaped}#${sum.toString(16).padStart(2, '0')}`;
}

/**
 * Splits incoming bytes into packets. `onPacket` gets each packet's
 * unescaped data; `onInterrupt` the ^C byte (0x03) gdb sends to stop.
 * Acknowledgements are the caller's (it writes `+` per good packet).
 */
const MAX_PACKET_BYTES = 1 << 20;

export class PacketReader {
  private buffer = '';

  constructor(private readonly onPacket: (data: string, checksumOk: boolean) => void, private readonly onInterrupt: () => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      while (this.buffer.length && this.buffer[0] !== '$') {
        if (this.buffer[0] === '\x03') this.onInterrupt();
        this.buffer = this.buffer.slice(1);
      }
      const hash = this.buffer.indexOf('#');
      // A packet that never ends is dropped rather than kept growing (the stub advertises PacketSize=4000).
      if (hash < 0 && this.buffer.length > MAX_PACKET_BYTES) { this.buffer = ''; return; }
      if (hash < 0 || this.buffer.length < hash + 3) return;
      const body = this.buffer.slice(1, hash);
      const checksum = Number.parseInt(this.buffer.slice(hash + 1, hash + 3), 16);
      this.buffer = this.buffer.slice(hash + 3);
      let sum = 0;
      for (let i = 0; i < body.length; i++) sum = (sum + body.charCodeAt(i)) & 0xff;
      this.onPacket(unescape(body), sum === checksum);
    }
  }
}

function unescape(body: string): string {
  return body.replace(/}([\s\S])/g, (_, c: string) => String.fromCharCode(c.charCodeAt(0) ^ 0x20));
}

export const toHex = (bytes: ArrayLike<number>): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
export const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
/** A 32-bit register in target (little-endian) byte order, as `g` and `p` carry it. */
export const littleEndianHex = (value: number): string => toHex([value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff]);
export const readLittleEndianHex = (hex: string): number => {
  const bytes = fromHex(hex);
  return ((bytes[0] ?? 0) | ((bytes[1] ?? 0) << 8) | ((bytes[2] ?? 0) << 16) | ((bytes[3] ?? 0) << 24)) >>> 0;
};
