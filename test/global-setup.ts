// Builds the guest runtime and the system DLLs once before the test files start in parallel.
import { buildRuntimeLibrary } from '../src/toolchain/runtime-library.js';
import { buildSystemDlls } from '../src/toolchain/system-dlls.js';

export default function setup(): void {
  buildRuntimeLibrary();
  buildSystemDlls();
}
