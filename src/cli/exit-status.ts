// mmscope's own exit statuses. Otherwise mmscope exits with the guest's
// exit code (the low byte, as a shell sees it).
export const EXIT_BUILD_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_PROCESS_CREATION_FAILED = 3;
export const EXIT_INTERNAL_ERROR = 70;
export const EXIT_TIMEOUT = 124;
export const EXIT_INSTRUCTION_LIMIT = 125;
