#!/usr/bin/env bash
# Installs what mmscope needs from Debian: libunicorn2 (the CPU engine),
# nasm and gcc-multilib (to build guests), qemu-user (the reference peer for
# tests and benchmarks), chromium (the browser the report's tests drive), gdb (drives
# the GDB remote stub in tests), gcc-mingw-w64-i686 (builds the system DLLs ntdll, kernel32
# and msvcrt as PE32, and Windows programs for tests). As
# root it runs apt-get; otherwise it prints the one command to run. Quiet and quick when everything is already there.
set -euo pipefail

PACKAGES=(libunicorn2 nasm gcc-multilib qemu-user chromium gdb gcc-mingw-w64-i686)

missing=()
{ /sbin/ldconfig -p 2>/dev/null || ldconfig -p 2>/dev/null; } | grep -q 'libunicorn\.so\.2' || missing+=(libunicorn2)
command -v nasm >/dev/null 2>&1 || missing+=(nasm)
command -v qemu-i386 >/dev/null 2>&1 || missing+=(qemu-user)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v gdb >/dev/null 2>&1 || missing+=(gdb)
command -v i686-w64-mingw32-gcc >/dev/null 2>&1 || missing+=(gcc-mingw-w64-i686)
if ! echo 'int main(void){return 0;}' | gcc -m32 -x c -c -o /dev/null - >/dev/null 2>&1; then missing+=(gcc-multilib); fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "mmscope: installing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  echo "mmscope: not running as root; please run:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y ${PACKAGES[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
echo "mmscope: Debian packages installed" >&2
