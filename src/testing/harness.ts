/** Test harness: a real gateway (uWS, loopback, port 0) from a spec, and the `llmgw mock` upstream; closed in t.after. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestContext } from 'node:test'
import { type App, type StartOptions, startApp } from '../app/start.js'
import { type MockServer, type MockServerOptions, startMockServer } from '../mock/server.js'

export interface TestGateway {
  url: string
  port: number
  adminUrl: string | undefined
  app: App
  /** The temp directory holding the spec file (rewrite it to test reloads). */
  dir: string
  specFile: string
  close(): Promise<void>
}

export interface TestGatewayOptions {
  t?: TestContext
  env?: NodeJS.ProcessEnv
  watch?: boolean
  compileDeps?: StartOptions['compileDeps']
  /** Write the access log to its destination (default off: test output stays clean). */
  accessLog?: boolean
  /** The app's own log lines (default: none). */
  log?: StartOptions['log']
}

/** Starts the gateway from YAML text or a spec object (written to a temp file, so the real loader runs). */
export async function startTestGateway(spec: string | object, opts: TestGatewayOptions = {}): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'llmgw-test-'))
  const specFile = join(dir, typeof spec === 'string' ? 'llmgw.config.yaml' : 'llmgw.config.json')
  await writeFile(specFile, typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2))
  let app: App
  try {
    app = await startApp({
      file: specFile,
      host: '127.0.0.1',
      port: 0,
      watch: opts.watch ?? false,
      dashboard: false,
      accessLog: opts.accessLog ?? false,
      cwd: dir,
      ...(opts.env ? { env: opts.env } : {}),
      ...(opts.compileDeps ? { compileDeps: opts.compileDeps } : {}),
      ...(opts.log ? { log: opts.log } : {}),
    })
  } catch (e) {
    await rm(dir, { recursive: true, force: true })
    throw e
  }
  let closed: Promise<void> | undefined
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await app.shutdown()
      await rm(dir, { recursive: true, force: true })
    })())
  opts.t?.after(close)
  return { url: app.url, port: app.port, adminUrl: app.adminUrl, app, dir, specFile, close }
}

/** `llmgw mock` on 127.0.0.1 port 0 (its stats show requests and aborts as the upstream saw them). */
export async function startTestMock(opts: MockServerOptions & { t?: TestContext } = {}): Promise<MockServer> {
  const { t, ...rest } = opts
  const mock = await startMockServer({ host: '127.0.0.1', port: 0, ...rest })
  t?.after(() => mock.close())
  return mock
}
