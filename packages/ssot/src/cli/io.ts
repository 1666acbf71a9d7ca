/** Where the CLI writes; tests pass buffers, the binary passes process streams. */
export interface CliIo {
  readonly cwd: string;
  readonly stdout: { write(text: string): boolean };
  readonly stderr: { write(text: string): boolean; readonly isTTY?: boolean; readonly columns?: number };
}
