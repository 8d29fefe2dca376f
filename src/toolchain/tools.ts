// Running the host tools (gcc, nasm) with one clear error when they fail.
import { execFileSync } from 'node:child_process';

export class BuildError extends Error {
  constructor(message: string) { super(message); this.name = 'BuildError'; }
}

const INSTALL_HINT = 'run `npm run setup` (installs nasm, gcc-multilib, libunicorn2 and qemu-user)';

/** Runs a tool; its diagnostics become the BuildError message. */
export function runTool(tool: string, args: readonly string[]): string {
  try {
    return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    if (failure.code === 'ENOENT') throw new BuildError(`${tool} is not installed: ${INSTALL_HINT}`);
    const output = `${failure.stdout ?? ''}${failure.stderr ?? ''}`.trim();
    throw new BuildError(`${tool} failed:\n${output}`);
  }
}
