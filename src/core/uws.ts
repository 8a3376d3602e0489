/** Loads uWebSockets.js and refuses its slow pure-JS fallback (SPEC §2 serve, mock; issue 3 item 2). Shared by server/ and mock/. */
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export type Uws = typeof import('uWebSockets.js')

const require = createRequire(import.meta.url)
let cached: Uws | undefined

/** Thrown when the native uWS binary is not what we got; the message says what to do. */
export class UwsLoadError extends Error {
  override readonly name = 'UwsLoadError'
}

const runtime = (): string =>
  `Node ${process.version} (ABI ${process.versions.modules}, ${process.platform}-${process.arch})`

function refuse(what: string, cause?: unknown): UwsLoadError {
  return new UwsLoadError(
    `llmgw: the native uWebSockets.js binary did not load: ${what}. Running on ${runtime()}. ` +
      'llmgw never serves on the slow pure-JS fallback. Fix: run on Node 16, 18 or 20 ' +
      '(the installed package @trufflesuite/uws-js-unofficial ships binaries for those), or on Node 22+ point the ' +
      '"uWebSockets.js" dependency in package.json at upstream: "github:uNetworking/uWebSockets.js#v20.x", then npm install.',
    cause === undefined ? undefined : { cause },
  )
}

/** The env switch that makes @trufflesuite/uws-js-unofficial pick its JS fallback without trying the binary. */
function fallbackForced(): boolean {
  const v = process.env.UWS_USE_FALLBACK
  return v !== undefined && /^(1|true)$/i.test(v)
}

/**
 * The truffle alias keeps binaries in `binaries/uws_<platform>_<arch>_<abi>.node` and, when that file is missing, warns
 * and falls back silently. Checking first keeps its warnings off the console and gives one clear message instead.
 * Upstream uWebSockets.js keeps them beside uws.js and throws by itself: no `binaries/` folder, nothing to check here.
 */
function missingTruffleBinary(): string | undefined {
  let main: string
  try {
    main = require.resolve('uWebSockets.js')
  } catch {
    return undefined // require() below reports it
  }
  const dir = join(dirname(main), '..', 'binaries')
  if (!existsSync(dir)) return undefined
  const file = `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`
  return existsSync(join(dir, file)) ? undefined : `no ${file} in ${dir}`
}

const isNativeLoaded = (): boolean => Object.keys(require.cache).some((k) => /uws_[^/\\]*\.node$/.test(k))

/** The uWS module, native only. Sync (createRequire) so the server can start without an extra await; cached. */
export function loadUws(): Uws {
  if (cached) return cached
  if (fallbackForced()) throw refuse('UWS_USE_FALLBACK is set, which forces the pure-JS fallback')
  const missing = missingTruffleBinary()
  if (missing) throw refuse(missing)
  let mod: Uws
  try {
    mod = require('uWebSockets.js') as Uws
  } catch (e) {
    throw refuse(e instanceof Error ? e.message.split('\n')[0]! : String(e), e)
  }
  // The binary can exist and still fail to load (libc, CPU): the alias then warns and returns the fallback.
  if (!isNativeLoaded()) throw refuse('the package fell back to its pure-JS implementation')
  return (cached = mod)
}
