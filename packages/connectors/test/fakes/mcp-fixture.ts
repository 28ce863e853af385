import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/** The path of the fixture MCP server (see mcp-server.mjs). */
export const mcpFixturePath = fileURLToPath(new URL('./mcp-server.mjs', import.meta.url))

/** Starts the fixture MCP server over Streamable HTTP in a child process. */
export async function startMcpHttpFixture(
  token: string,
  options: { logPath?: string } = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, [mcpFixturePath, 'http', token], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...(options.logPath ? { FIXTURE_LOG: options.logPath } : {}) },
  })
  const port = await new Promise<number>((resolve, reject) => {
    let output = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /listening (\d+)/.exec(output)
      if (match !== null) resolve(Number(match[1]))
    })
    child.once('exit', (code) => reject(new Error(`the MCP fixture exited with ${code}`)))
  })
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill()
      }),
  }
}
