// Running the host tools (gcc, nasm, ld through gcc) with one clear error
// when they fail, and their warnings kept when they succeed.
import { spawnSync } from 'node:child_process';

export class BuildError extends Error {
  constructor(message: string) { super(message); this.name = 'BuildError'; }
}

const INSTALL_HINT = 'run `npm run setup` (installs nasm, gcc-multilib, gcc-mingw-w64-i686, libunicorn2 and qemu-user)';

/**
 * Runs a tool and returns its standard output. A failure's output becomes
 * the BuildError message; on success, whatever the tool printed on stderr
 * (gcc's and ld's warnings, nasm's) is appended to `diagnostics` when given.
 */
export function runTool(tool: string, args: readonly string[], diagnostics?: string[]): string {
  const result = spawnSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new BuildError(`${tool} is not installed: ${INSTALL_HINT}`);
    throw new BuildError(`${tool} could not be run: ${result.error.message}`);
  }
  if (result.status !== 0) {
    const how = result.signal ? ` (killed by ${result.signal})` : '';
    throw new BuildError(`${tool} failed${how}:\n${`${result.stdout}${result.stderr}`.trim()}`);
  }
  if (diagnostics && result.stderr.trim()) diagnostics.push(result.stderr.trimEnd() + '\n');
  return result.stdout;
}
