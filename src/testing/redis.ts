/** A redis-server for tests (LLMGW_TEST_REDIS_URL when .ci/run provides one, else a private server on a free loopback port), and freePort. */
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'
import type { TestContext } from 'node:test'
import { createRedisStore } from '../state/redis.js'

const GIVEN_URL = process.env.LLMGW_TEST_REDIS_URL

/** false when redis can be had, else the reason to skip with. */
export const REDIS_SKIP: false | string =
  GIVEN_URL !== undefined || spawnSync('redis-server', ['--version']).status === 0
    ? false
    : 'redis-server is not installed and LLMGW_TEST_REDIS_URL is not set (apt-get install -y redis-server)'

/**
 * state.redis.commandTimeout for tests that are not about the deadline. The default (250 ms) is a production
 * figure; on a loaded 2-core CI runner one command took longer, and in closed mode that one slow answer is an
 * outage: the store goes down and requests get 503 (CI failure of d1c629d). Kills are still seen at once:
 * the connection closes, no deadline is waited for.
 */
export const TEST_COMMAND_TIMEOUT_MS = 2000
export const TEST_COMMAND_TIMEOUT = `${TEST_COMMAND_TIMEOUT_MS}ms`

/** privateRedis needs the binary itself (a given LLMGW_TEST_REDIS_URL cannot be killed and restarted). */
export const PRIVATE_REDIS_SKIP: false | string =
  spawnSync('redis-server', ['--version']).status === 0 ? false : 'redis-server is not installed (apt-get install -y redis-server)'

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

/** The URL of a redis that answers; a private server is stopped in t.after. Tests use their own key prefixes. */
export async function testRedisUrl(t: TestContext): Promise<string> {
  if (GIVEN_URL) return GIVEN_URL
  const port = await freePort()
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' })
  t.after(() => void child.kill('SIGTERM'))
  const url = `redis://127.0.0.1:${port}`
  const probe = createRedisStore({ url })
  try {
    for (let i = 0; i < 50; i++) {
      try {
        await probe.gauge('ping', 1).held()
        return url
      } catch {
        await new Promise((r) => setTimeout(r, 100))
      }
    }
  } finally {
    await probe.close()
  }
  throw new Error('redis-server did not start')
}

/** A redis-server this test owns (never LLMGW_TEST_REDIS_URL's): outage tests kill it and start it again on the same port. */
export interface PrivateRedis {
  readonly url: string
  /** SIGKILL (no save: what comes back is empty), resolved once the process is gone. */
  kill(): Promise<void>
  /** Start again on the same port, resolved once it answers. */
  start(): Promise<void>
  /** SIGSTOP / SIGCONT: the connection stays open but nothing answers (a hung server). */
  pause(): void
  resume(): void
}

export async function privateRedis(t: TestContext): Promise<PrivateRedis> {
  const port = await quietPort()
  const url = `redis://127.0.0.1:${port}`
  let child: ReturnType<typeof spawn> | undefined
  const start = async (): Promise<void> => {
    const c = (child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }))
    const probe = createRedisStore({ url })
    try {
      for (let i = 0; i < 100; i++) {
        // Another process took the port while ours was down: say so rather than test against someone else's server.
        if (c.exitCode !== null) throw new Error(`redis-server could not start again on port ${port} (exit ${c.exitCode})`)
        try {
          await probe.ping()
          return
        } catch {
          await new Promise((r) => setTimeout(r, 50))
        }
      }
    } finally {
      await probe.close()
    }
    throw new Error('redis-server did not start')
  }
  const kill = async (): Promise<void> => {
    const c = child
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return
    const gone = new Promise((r) => c.once('exit', r))
    c.kill('SIGKILL')
    await gone
  }
  t.after(kill)
  await start()
  return { url, kill, start, pause: () => void child?.kill('SIGSTOP'), resume: () => void child?.kill('SIGCONT') }
}

/**
 * A free port below the kernel's ephemeral range (32768+ on Linux): port-0 binds elsewhere in the suite never get it,
 * so it is still free when a killed server starts again on it.
 */
async function quietPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000)
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer()
      s.once('error', () => resolve(false))
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)))
    })
    if (free) return port
  }
  return freePort()
}
