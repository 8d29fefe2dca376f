// Import libraries for mmscope's system DLLs (libkernel32.a...), as
// mingw-w64 ships its own: each export under the symbol a caller compiled
// with the SDK's headers references (stdcall names decorated, `_HeapAlloc@12`;
// cdecl ones plain, `_malloc`), importing the undecorated name the DLL
// exports (dlltool --kill-at). An archive resolves each symbol from the
// first library that has it, so a program or DLL may link several that
// export the same name (ntdll's and msvcrt's memcpy), which linking against
// the DLL files themselves refuses as a multiple definition.
import { writeFileSync } from 'node:fs';
import { runTool } from './tools.js';

export const MINGW_DLLTOOL = 'i686-w64-mingw32-dlltool';

/** An export from a module-definition file: its name, what it stands for (an internal symbol or `DLL.name`), and DATA. */
export interface DefExport { name: string; target?: string; data: boolean }

/** The EXPORTS of a .def file (ld's module-definition syntax: `Name`, `Name = internal`, `Name = DLL.Other`, `DATA`, `;` comments). */
export function parseDefExports(text: string): DefExport[] {
  const exports: DefExport[] = [];
  let inExports = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/;.*/, '').trim();
    if (!line) continue;
    if (/^EXPORTS\b/i.test(line)) { inExports = true; continue; }
    if (/^(LIBRARY|NAME)\b/i.test(line)) continue;
    if (!inExports) continue;
    const match = /^([\w@?$.]+)(?:\s*=\s*([\w@?$.]+))?(\s+DATA)?/.exec(line);
    if (match) exports.push({ name: match[1]!, ...(match[2] ? { target: match[2] } : {}), data: Boolean(match[3]) });
  }
  return exports;
}

/** Undecorated name → the decoration its definition carries ("@12" for `_HeapAlloc@12`, "" for `_malloc`), from `nm -g` of the DLL's objects. */
export function symbolDecorations(objects: readonly string[]): Map<string, string> {
  const decorations = new Map<string, string>();
  for (const object of objects) {
    for (const line of runTool('nm', ['-g', '--defined-only', object]).split('\n')) {
      const match = /\s[TDBR]\s_([^@\s]+)(@\d+)?$/.exec(line);
      if (match) decorations.set(match[1]!, match[2] ?? '');
    }
  }
  return decorations;
}

/**
 * Writes `library` for `dllName` from its exports. A name's decoration is
 * its own definition's, else its alias target's, else (a forwarder
 * `DLL.Target`) the decoration Target has in that DLL (`forwarded`, keyed
 * by lower-case DLL name), or failing that its own definition's.
 */
export function writeImportLibrary(options: {
  dllName: string; exports: readonly DefExport[]; decorations: ReadonlyMap<string, string>;
  forwarded: ReadonlyMap<string, ReadonlyMap<string, string>>; defPath: string; library: string;
}): Map<string, string> {
  const exported = new Map<string, string>();
  for (const entry of options.exports) exported.set(entry.name, decorationOf(entry, options.decorations, options.forwarded));
  const lines = [`LIBRARY ${options.dllName}`, 'EXPORTS'];
  for (const entry of options.exports) lines.push(`    ${entry.name}${exported.get(entry.name)}${entry.data ? ' DATA' : ''}`);
  writeFileSync(options.defPath, lines.join('\n') + '\n');
  runTool(MINGW_DLLTOOL, ['--kill-at', '--input-def', options.defPath, '--dllname', options.dllName, '--output-lib', options.library]);
  return exported;
}

function decorationOf(entry: DefExport, own: ReadonlyMap<string, string>, forwarded: ReadonlyMap<string, ReadonlyMap<string, string>>): string {
  if (entry.data) return '';
  const target = entry.target ?? entry.name;
  const dot = target.indexOf('.');
  // A forwarder takes its target's decoration; a target not built yet, the DLL's own function of that name (same signature).
  if (dot > 0) return forwarded.get(target.slice(0, dot).toLowerCase())?.get(target.slice(dot + 1)) ?? own.get(entry.name) ?? '';
  return own.get(target) ?? '';
}
