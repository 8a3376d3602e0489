// Baseline for bench/ (issue 7): the floor for any JS gateway, a minimal uWebSockets.js front with an undici Pool.
// Handles what a real one must: onAborted on every response, cork around writes, backpressure via onWritable,
// and clients that leave mid-request (autocannon does at the end of every run) without crashing.
// Usage: node bench/proxies/uws-undici.mjs --port 0 --upstream http://127.0.0.1:8081
import { parseArgs } from 'node:util'
import { Pool } from 'undici'
import uWS from 'uWebSockets.js'

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, upstream: { type: 'string' } } })
if (!values.upstream) { console.error('usage: uws-undici.mjs --port N --upstream URL'); process.exit(2) }
const pool = new Pool(values.upstream, { connections: 128, pipelining: 1 })
const SKIP = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length', 'upgrade', 'te', 'trailer'])
const enc = new TextEncoder()

async function relay(res, st, method, path, headers, body) {
  const { statusCode, headers: h, body: up } = await pool.request({ path, method, headers, body, signal: st.ac.signal })
  const len = h['content-length']
  if (len !== undefined) { // small JSON answer: one buffer, one corked end
    const buf = Buffer.from(await up.arrayBuffer())
    if (!st.aborted) res.cork(() => { writeHead(res, statusCode, h); res.end(buf) })
    return
  }
  for await (const chunk of up) {
    if (st.aborted) return up.destroy()
    let ok = true
    res.cork(() => { if (!st.head) { st.head = true; writeHead(res, statusCode, h) } ok = res.write(chunk) })
    if (!ok) await new Promise((resolve) => { st.wake = resolve; res.onWritable(() => { st.wake = null; resolve(); return true }) })
  }
  if (!st.aborted) res.cork(() => { if (!st.head) writeHead(res, statusCode, h); res.end() })
}

function writeHead(res, status, h) {
  res.writeStatus(String(status))
  for (const [k, v] of Object.entries(h)) if (!SKIP.has(k)) for (const x of Array.isArray(v) ? v : [v]) res.writeHeader(k, String(x))
}

function handle(res, req) {
  const st = { aborted: false, head: false, ac: new AbortController(), wake: null }
  res.onAborted(() => { st.aborted = true; st.ac.abort(); st.wake?.() })
  const method = req.getCaseSensitiveMethod(), q = req.getQuery()
  const path = req.getUrl() + (q ? `?${q}` : '')
  const headers = {}
  req.forEach((k, v) => { if (!SKIP.has(k)) headers[k] = v }) // req is only valid until the first return/await
  const parts = []
  res.onData((ab, isLast) => {
    parts.push(Buffer.from(ab.slice(0))) // uWS reuses the ArrayBuffer: copy it
    if (!isLast) return
    const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(parts)
    relay(res, st, method, path, headers, body).catch((err) => {
      if (st.aborted) return
      if (st.head) return res.close() // mid-stream failure: the client sees a cut connection, never a hang
      const msg = enc.encode(JSON.stringify({ error: { message: `upstream: ${err.code ?? err.message}`, type: 'upstream_error', code: 'upstream_error' } }))
      res.cork(() => res.writeStatus('502').writeHeader('content-type', 'application/json').end(msg))
    })
  })
}

const app = uWS.App().any('/*', handle)
app.listen('127.0.0.1', Number(values.port), (ls) => {
  if (!ls) { console.error('uws-undici: cannot listen'); process.exit(1) }
  console.log(`listening on http://127.0.0.1:${uWS.us_socket_local_port(ls)}`)
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { uWS.us_listen_socket_close(ls); pool.close().finally(() => process.exit(0)) })
})
