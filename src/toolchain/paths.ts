// Where the guest SDK lives: guest/ beside src/ (or dist/) in the package.
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

export interface GuestPaths {
  root: string;
  include: string;
  runtime: string;
  linkerScript: string;
  examples: string;
  build: string;
}

export function guestPaths(): GuestPaths {
  const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const root = join(packageRoot, 'guest');
  return {
    root,
    include: join(root, 'include'),
    runtime: join(root, 'runtime'),
    linkerScript: join(root, 'image.ld'),
    examples: join(root, 'examples'),
    build: join(root, 'build'),
  };
}
