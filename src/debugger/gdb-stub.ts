// A GDB remote stub over the debug session: Debian's gdb (i386) connects,
// reads and writes registers and memory, sets breakpoints and watchpoints,
// continues and steps, and runs WinDbg commands through `monitor`. The same
// rules as the console: memory on pages that are not present is an error
// to gdb ("Cannot access memory at address …") and reading changes nothing.
import { createServer, type Socket } from 'node:net';
import type { DebugSession, SessionStop } from './session.js';
import type { CommandEngine } from './commands.js';
import { PacketReader, framePacket, fromHex, littleEndianHex, readLittleEndianHex, toHex } from './gdb-packets.js';
import type { X86RegName } from '../cpu/constants.js';

/** GDB's i386 register numbers (32bit-core.xml order) for the registers mmscope exposes. */
const GENERAL_REGISTERS: readonly X86RegName[] = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI', 'EIP', 'EFLAGS', 'CS', 'SS', 'DS', 'ES', 'FS', 'GS'];
/** gdb's numbers after the general registers: st0-st7 16-23, fctrl..fop 24-31, xmm0-xmm7 32-39, mxcsr 40 (32bit-core.xml, 32bit-sse.xml). */
const ST0_REGNUM = 16, MXCSR_REGNUM = 40;

const SIGINT = 2, SIGILL = 4, SIGTRAP = 5, SIGFPE = 8, SIGSEGV = 11;
/** How long the CPU runs between looks at the socket while gdb waits for a stop (its Ctrl-C). */
const CONTINUE_SLICE_MS = 50;

/** The target description: GDB's i386 core feature (general, segment and x87 registers). */
const TARGET_XML = `<?xml version="1.0"?>
<!DOCTYPE target SYSTEM "gdb-target.dtd">
<target version="1.0">
  <architecture>i386</architecture>
  <feature name="org.gnu.gdb.i386.core">
    <flags id="i386_eflags" size="4">
      <field name="CF" start="0" end="0"/><field name="" start="1" end="1"/><field name="PF" start="2" end="2"/>
      <field name="AF" start="4" end="4"/><field name="ZF" start="6" end="6"/><field name="SF" start="7" end="7"/>
      <field name="TF" start="8" end="8"/><field name="IF" start="9" end="9"/><field name="DF" start="10" end="10"/>
      <field name="OF" start="11" end="11"/>
    </flags>
    <reg name="eax" bitsize="32" type="int32"/><reg name="ecx" bitsize="32" type="int32"/>
    <reg name="edx" bitsize="32" type="int32"/><reg name="ebx" bitsize="32" type="int32"/>
    <reg name="esp" bitsize="32" type="data_ptr"/><reg name="ebp" bitsize="32" type="data_ptr"/>
    <reg name="esi" bitsize="32" type="int32"/><reg name="edi" bitsize="32" type="int32"/>
    <reg name="eip" bitsize="32" type="code_ptr"/><reg name="eflags" bitsize="32" type="i386_eflags"/>
    <reg name="cs" bitsize="32" type="int32"/><reg name="ss" bitsize="32" type="int32"/>
    <reg name="ds" bitsize="32" type="int32"/><reg name="es" bitsize="32" type="int32"/>
    <reg name="fs" bitsize="32" type="int32"/><reg name="gs" bitsize="32" type="int32"/>
    <reg name="st0" bitsize="80" type="i387_ext"/><reg name="st1" bitsize="80" type="i387_ext"/>
    <reg name="st2" bitsize="80" type="i387_ext"/><reg name="st3" bitsize="80" type="i387_ext"/>
    <reg name="st4" bitsize="80" type="i387_ext"/><reg name="st5" bitsize="80" type="i387_ext"/>
    <reg name="st6" bitsize="80" type="i387_ext"/><reg name="st7" bitsize="80" type="i387_ext"/>
    <reg name="fctrl" bitsize="32" type="int" group="float"/><reg name="fstat" bitsize="32" type="int" group="float"/>
    <reg name="ftag" bitsize="32" type="int" group="float"/><reg name="fiseg" bitsize="32" type="int" group="float"/>
    <reg name="fioff" bitsize="32" type="int" group="float"/><reg name="foseg" bitsize="32" type="int" group="float"/>
    <reg name="fooff" bitsize="32" type="int" group="float"/><reg name="fop" bitsize="32" type="int" group="float"/>
  </feature>
  <feature name="org.gnu.gdb.i386.sse">
    <vector id="v4f" type="ieee_single" count="4"/><vector id="v2d" type="ieee_double" count="2"/>
    <vector id="v16i8" type="int8" count="16"/><vector id="v8i16" type="int16" count="8"/>
    <vector id="v4i32" type="int32" count="4"/><vector id="v2i64" type="int64" count="2"/>
    <union id="vec128">
      <field name="v4_float" type="v4f"/><field name="v2_double" type="v2d"/><field name="v16_int8" type="v16i8"/>
      <field name="v8_int16" type="v8i16"/><field name="v4_int32" type="v4i32"/><field name="v2_int64" type="v2i64"/>
      <field name="uint128" type="uint128"/>
    </union>
    <flags id="i386_mxcsr" size="4">
      <field name="IE" start="0" end="0"/><field name="DE" start="1" end="1"/><field name="ZE" start="2" end="2"/>
      <field name="OE" start="3" end="3"/><field name="UE" start="4" end="4"/><field name="PE" start="5" end="5"/>
      <field name="DAZ" start="6" end="6"/><field name="IM" start="7" end="7"/><field name="DM" start="8" end="8"/>
      <field name="ZM" start="9" end="9"/><field name="OM" start="10" end="10"/><field name="UM" start="11" end="11"/>
      <field name="PM" start="12" end="12"/><field name="FZ" start="15" end="15"/>
    </flags>
    <reg name="xmm0" bitsize="128" type="vec128"/><reg name="xmm1" bitsize="128" type="vec128"/>
    <reg name="xmm2" bitsize="128" type="vec128"/><reg name="xmm3" bitsize="128" type="vec128"/>
    <reg name="xmm4" bitsize="128" type="vec128"/><reg name="xmm5" bitsize="128" type="vec128"/>
    <reg name="xmm6" bitsize="128" type="vec128"/><reg name="xmm7" bitsize="128" type="vec128"/>
    <reg name="mxcsr" bitsize="32" type="i386_mxcsr" group="vector"/>
  </feature>
</target>`;

export interface GdbStubOptions {
  host: string;
  port: number;
  /** Told the address once the stub listens (port 0 picks a free one). */
  onListening(address: { host: string; port: number }): void;
}

/** Serves one gdb connection; resolves when gdb detaches, kills or disconnects. */
export function serveGdb(session: DebugSession, engine: CommandEngine, options: GdbStubOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer({ noDelay: true });
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const address = server.address();
      options.onListening({ host: options.host, port: typeof address === 'object' && address ? address.port : options.port });
    });
    server.once('connection', (socket) => {
      server.close();
      new GdbConnection(session, engine, socket);
      // Whatever gdb left running ends with the session (the caller terminates the process as at exit).
      socket.once('close', () => resolve());
    });
  });
}

class GdbConnection {
  private lastStop = 'S05';
  private noAck = false;
  /** While a continue runs (in slices): whether gdb sent its interrupt (Ctrl-C, the byte 0x03). */
  private continuing: { interrupted: boolean } | undefined;

  constructor(private readonly session: DebugSession, private readonly engine: CommandEngine, private readonly socket: Socket) {
    socket.setEncoding('latin1');
    const reader = new PacketReader((data, ok) => this.onPacket(data, ok), () => { if (this.continuing) this.continuing.interrupted = true; });
    socket.on('data', (chunk: string) => reader.push(chunk));
    socket.on('error', () => socket.destroy());
  }

  private send(data: string): void {
    if (!this.socket.destroyed) this.socket.write(framePacket(data), 'latin1');
  }

  private onPacket(data: string, checksumOk: boolean): void {
    if (!this.noAck) this.socket.write(checksumOk ? '+' : '-');
    if (!checksumOk) return;
    const reply = this.handle(data);
    if (reply !== undefined) this.send(reply);
    if (data === 'QStartNoAckMode') this.noAck = true;
  }

  private handle(data: string): string | undefined {
    const [head] = data;
    switch (head) {
      case '?': return this.lastStop;
      case 'g': return this.readAllRegisters();
      case 'G': return this.writeAllRegisters(data.slice(1));
      case 'p': { const [number] = hexFields(data.slice(1), 1) ?? []; return number === undefined ? MALFORMED : this.readRegister(number); }
      case 'P': return this.writeRegister(data.slice(1));
      case 'm': return this.readMemory(data.slice(1));
      case 'M': return this.writeMemory(data.slice(1), true);
      case 'X': return this.writeMemory(data.slice(1), false);
      case 'c': return this.continue(true);
      case 'C': return this.continue(false);
      case 's': case 'S': return this.resume(() => this.session.stepInto());
      case 'Z': case 'z': return this.breakpoint(head === 'Z', data.slice(1));
      case 'H': return 'OK';
      case 'T': return 'OK';
      case 'D': this.detach(); return undefined;
      case 'k': this.session.machine.terminate(0); this.socket.end(); return undefined;
      case 'q': case 'Q': return this.query(data);
      case 'v': return this.vPacket(data);
      default: return '';
    }
  }

  private query(data: string): string {
    if (data.startsWith('qSupported')) return 'PacketSize=4000;qXfer:features:read+;swbreak+;hwbreak+;vContSupported+;QStartNoAckMode+';
    if (data === 'QStartNoAckMode') return 'OK';
    if (data.startsWith('qXfer:features:read:target.xml:')) {
      const [offset, length] = hexFields(data.slice('qXfer:features:read:target.xml:'.length), 2) ?? [];
      if (offset === undefined || length === undefined) return MALFORMED;
      const chunk = TARGET_XML.slice(offset, offset + length);
      return (offset + length >= TARGET_XML.length ? 'l' : 'm') + chunk;
    }
    if (data === 'qC') return 'QC1';
    if (data === 'qfThreadInfo') return 'm1';
    if (data === 'qsThreadInfo') return 'l';
    if (data === 'qAttached') return '1';
    if (data.startsWith('qRcmd,')) return this.monitor(Buffer.from(fromHex(data.slice(6))).toString('latin1'));
    if (data.startsWith('qSymbol')) return 'OK';
    return '';
  }

  private vPacket(data: string): string | undefined {
    if (data === 'vCont?') return 'vCont;c;C;s;S';
    if (data.startsWith('vCont;')) {
      const action = data.slice(6).split(';')[0]!.split(':')[0]!;
      // vCont? offers c, C, s and S; anything else (t, r, an empty action) is refused, not taken for a continue.
      if (!/^[cCsS]/.test(action)) return MALFORMED;
      if (action.startsWith('s') || action.startsWith('S')) return this.resume(() => this.session.stepInto());
      return this.continue(!action.startsWith('C'));
    }
    if (data.startsWith('vKill')) { this.session.machine.terminate(0); return 'OK'; }
    return '';
  }

  /** `monitor CMD`: the WinDbg command's output as console output (O packets), then OK. */
  private monitor(command: string): string {
    const output = this.engine.execute(command).output;
    for (let at = 0; at < output.length + 1; at += 1000) {
      const piece = (output + '\n').slice(at, at + 1000);
      if (piece) this.send('O' + toHex(Buffer.from(piece, 'utf8')));
    }
    return 'OK';
  }

  private readAllRegisters(): string {
    const values = this.session.machine.registers(GENERAL_REGISTERS);
    return GENERAL_REGISTERS.map((name) => littleEndianHex(values[name]!)).join('') + this.floatingPointRegisters().join('');
  }

  /**
   * Registers 16-40 in gdb's order and encoding: st0-st7 (10 bytes, as
   * FSAVE), fctrl, fstat, ftag (the full tag word), fiseg, fioff, foseg,
   * fooff, fop (Unicorn keeps no instruction or operand pointers: 0),
   * xmm0-xmm7, mxcsr.
   */
  private floatingPointRegisters(): string[] {
    const fpu = this.session.machine.floatingPointState();
    return [
      ...fpu.st.map(toHex),
      ...[fpu.control, fpu.status, fpu.tag, 0, 0, 0, 0, 0].map(littleEndianHex),
      ...fpu.xmm.map(toHex),
      littleEndianHex(fpu.mxcsr),
    ];
  }

  private writeAllRegisters(hex: string): string {
    if (hex.length < 80 || !/^[0-9a-fA-F]*$/.test(hex)) return MALFORMED;
    const values: Partial<Record<X86RegName, number>> = {};
    GENERAL_REGISTERS.slice(0, 10).forEach((name, i) => { values[name] = readLittleEndianHex(hex.slice(i * 8, i * 8 + 8)); });
    this.session.machine.setRegisters(values);
    return 'OK';
  }

  private readRegister(number: number): string {
    const name = GENERAL_REGISTERS[number];
    if (name) return littleEndianHex(this.session.machine.registers([name])[name]!);
    if (number >= ST0_REGNUM && number <= MXCSR_REGNUM) return this.floatingPointRegisters()[number - ST0_REGNUM]!;
    return 'E45';
  }

  private writeRegister(body: string): string {
    const [numberText = '', value = ''] = body.split('=');
    const [number] = hexFields(numberText, 1) ?? [];
    if (number === undefined || !/^[0-9a-fA-F]{8}$/.test(value)) return MALFORMED;
    const name = GENERAL_REGISTERS[number];
    if (!name || ['CS', 'SS', 'DS', 'ES', 'FS', 'GS'].includes(name)) return 'E45';
    this.session.machine.setRegisters({ [name]: readLittleEndianHex(value) });
    return 'OK';
  }

  /** m addr,len: the bytes up to the first page that is not present; an error if the first is not. */
  private readMemory(body: string): string {
    const [address, length] = hexFields(body, 2) ?? [];
    if (address === undefined || length === undefined || address > 0xffffffff) return MALFORMED;
    if (length === 0) return '';
    const bytes = this.session.machine.inspect(address, Math.min(length, 0x4000), this.session.pid);
    const known = bytes.findIndex((b) => b === undefined);
    if (known === 0) return 'E14';
    return toHex((known < 0 ? bytes : bytes.slice(0, known)) as number[]);
  }

  private writeMemory(body: string, hex: boolean): string {
    const colon = body.indexOf(':');
    const [address, length] = colon < 0 ? [] : hexFields(body.slice(0, colon), 2) ?? [];
    const data = body.slice(colon + 1);
    if (address === undefined || length === undefined || address > 0xffffffff) return MALFORMED;
    if (hex ? data.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(data) : data.length !== length) return MALFORMED;
    const bytes = hex ? fromHex(data) : Uint8Array.from(data, (c) => c.charCodeAt(0));
    if (bytes.length === 0) return 'OK';
    return this.session.machine.poke(address, bytes, this.session.pid) === bytes.length ? 'OK' : 'E14';
  }

  /** Z0/Z1 code breakpoints, Z2 write, Z3 read, Z4 access watchpoints (as the session's bp and ba). */
  private breakpoint(insert: boolean, body: string): string {
    const [type, address, size] = hexFields(body.split(';')[0]!, 3) ?? [];
    if (type === undefined || address === undefined || size === undefined || address > 0xffffffff) return MALFORMED;
    if (type > 4) return '';
    const access = type === 2 ? 'w' : type === 3 || type === 4 ? 'r' : 'e';
    if (insert) {
      if (type <= 1) this.session.addBreakpoint({ kind: 'bp', address, expression: `gdb Z${type}` });
      else this.session.addBreakpoint({ kind: 'ba', address, expression: `gdb Z${type}`, access, size });
      return 'OK';
    }
    const existing = this.session.breakpoints.find((b) => b.address === address && (type <= 1 ? b.kind === 'bp' : b.kind === 'ba' && b.access === access));
    if (existing) this.session.clear(existing);
    return 'OK';
  }

  /**
   * c / C / vCont;c: runs the guest in slices, looking at the socket between
   * them, and replies when it stops; gdb's Ctrl-C stops it with SIGINT
   * (the reply is sent later, so this answers nothing now). `handled` drops
   * a held exception (c), or passes it on (C with its signal).
   */
  private continue(handled: boolean): undefined {
    if (this.session.ended) { this.send(this.exitReply()); return undefined; }
    const continuing = { interrupted: false };
    this.continuing = continuing;
    const slice = (): void => {
      if (this.socket.destroyed) { this.continuing = undefined; return; }
      const stop = continuing.interrupted ? undefined : this.session.go(undefined, handled, CONTINUE_SLICE_MS);
      if (stop?.reason.kind === 'paused') { setImmediate(slice); return; }
      this.continuing = undefined;
      this.lastStop = stop ? this.stopReply(stop) : `T${hex2(SIGINT)}thread:1;`;
      this.send(this.lastStop);
    };
    slice();
    return undefined;
  }

  private resume(run: () => SessionStop): string {
    if (this.session.ended) return this.exitReply();
    const stop = run();
    this.lastStop = this.stopReply(stop);
    return this.lastStop;
  }

  private stopReply(stop: SessionStop): string {
    const { reason } = stop;
    if (reason.kind === 'ended') return this.exitReply();
    if (reason.kind === 'exception') {
      const code = reason.report.code >>> 0;
      const signal = code === 0xc000001d ? SIGILL : code === 0xc0000094 ? SIGFPE : code === 0x80000003 ? SIGTRAP : SIGSEGV;
      return `T${hex2(signal)}thread:1;`;
    }
    if (reason.kind === 'watchpoint') {
      const kind = reason.write ? 'watch' : 'rwatch';
      return `T${hex2(SIGTRAP)}${kind}:${reason.address.toString(16)};thread:1;`;
    }
    if (reason.kind === 'breakpoint' && stop.breakpoints.length) return `T${hex2(SIGTRAP)}swbreak:;thread:1;`;
    return `T${hex2(SIGTRAP)}thread:1;`;
  }

  /** W (exit status) or X (ended by an exception: its signal). */
  private exitReply(): string {
    const outcome = this.session.machine.outcome();
    if (outcome?.reason === 'exception') return `X${hex2(outcome.exception.code >>> 0 === 0xc000001d ? SIGILL : SIGSEGV)}`;
    return `W${hex2((outcome?.exitStatus ?? 0) & 0xff)}`;
  }

  /** D: gdb lets go; the program runs on to its end without stops. */
  private detach(): void {
    this.send('OK');
    for (const breakpoint of [...this.session.breakpoints]) this.session.clear(breakpoint);
    while (!this.session.ended) this.session.go(undefined, false);
    this.socket.end();
  }
}

const hex2 = (value: number): string => value.toString(16).padStart(2, '0');

/** gdb's reply to a packet whose fields do not parse (gdb prints it as an error; the stub goes on). */
const MALFORMED = 'E01';

/** `count` hexadecimal fields separated by commas, or undefined if any is missing or not hex. */
function hexFields(text: string, count: number): number[] | undefined {
  const fields = text.split(',');
  if (fields.length !== count || !fields.every((f) => /^[0-9a-fA-F]{1,16}$/.test(f))) return undefined;
  return fields.map((f) => Number.parseInt(f, 16));
}
