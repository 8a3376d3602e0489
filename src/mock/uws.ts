/**
 * Loads uWebSockets.js for `llmgw mock` and refuses its slow JS fallback (SPEC §2 `mock`: it is the benchmark baseline).
 * server/uws.ts has the same check for the gateway; mock/ may not import server/, so this copy stays until it moves to core/.
 */
import { createRequire } from 'node:module'
import uWS from 'uWebSockets.js'

export type Uws = typeof uWS

/** uWS, or an Error saying why the native binary did not load (the package silently falls back to a JS version). */
export function loadMockUws(): Uws {
  const require = createRequire(import.meta.url)
  const native = Object.keys(require.cache).some((k) => /uws_[^/\\]+\.node$/.test(k))
  if (!native) {
    throw new Error(
      `uWebSockets.js native binary did not load for ${process.platform}-${process.arch} (Node ABI ${process.versions.modules}); ` +
        'refusing the slow JS fallback. Use a Node version the package ships a binary for (Node 20 on linux-x64 works).',
    )
  }
  return uWS
}
