/** Where the `tessera` CLI writes: progress lines and error lines. */
export interface CliOutput {
  info(line: string): void
  error(line: string): void
}

/**
 * The process's own output: progress on stdout, errors on stderr.
 *
 * @example
 * ```ts
 * await runCli(['migrate'], { output: consoleOutput })
 * ```
 */
export const consoleOutput: CliOutput = {
  info: (line) => console.log(line),
  error: (line) => console.error(line),
}
