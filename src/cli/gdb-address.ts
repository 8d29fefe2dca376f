// `--gdb [HOST:]PORT`: where the GDB remote stub listens.
import { InvalidArgumentError } from 'commander';

/** `1234`, `:1234`, `localhost:1234`, `0.0.0.0:1234`; the host defaults to 127.0.0.1 (never all interfaces unless asked). */
export function parseGdbAddress(text: string): { host: string; port: number } {
  const match = /^(?:(.*):)?(\d+)$/.exec(text.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port >= 0 && port <= 65535)) throw new InvalidArgumentError(`"${text}" is not [HOST:]PORT (a port from 0 to 65535; 0 picks a free one)`);
  return { host: match[1] || '127.0.0.1', port };
}
