// Builds the guest runtime once before the test files start in parallel.
import { buildRuntimeLibrary } from '../src/toolchain/runtime-library.js';

export default function setup(): void {
  buildRuntimeLibrary();
}
