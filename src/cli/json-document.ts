// `--json`: exactly one JSON document on stdout however a command ends. The
// command prints it when it finishes; when it fails before that, main()
// prints a failure document instead (reason, status, error).

export class JsonDocument {
  /** The user asked for --json (set while commander parses, so it holds for usage errors too). */
  requested = false;
  private written = false;

  constructor(private readonly write: (text: string) => void) {}

  /** Prints `document` unless one was printed already. */
  print(document: object): void {
    if (this.written) return;
    this.written = true;
    this.write(JSON.stringify(document, null, 2) + '\n');
  }
}
