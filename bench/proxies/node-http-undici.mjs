// Baseline for bench/ (issue 7): the plainest JS pass-through, node:http in front of an undici Pool.
// Usage: node bench/proxies/node-http-undici.mjs --port 0 --upstream http://127.0.0.1:8081
import http from 'node:http'
import { parseArgs } from 'node:util'
import { Pool } from 'undici'

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, upstream: { type: 'string' } } })
if (!values.upstream) { console.error('usage: node-http-undici.mjs --port N --upstream URL'); process.exit(2) }
const pool = new Pool(values.upstream, { connections: 128, pipelining: 1 })
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'upgrade', 'proxy-connection', 'te', 'trailer'])

const server = http.createServer((req, res) => {
  const ac = new AbortController()
  res.on('close', () => { if (!res.writableFinished) ac.abort() }) // client left: stop the upstream call
  const headers = {}
  for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k)) headers[k] = v
  pool.stream({ path: req.url, method: req.method, headers, body: req, signal: ac.signal }, ({ statusCode, headers: h }) => {
    for (const k of Object.keys(h)) if (HOP.has(k)) delete h[k]
    res.writeHead(statusCode, h)
    return res // undici pipes the body into res with backpressure
  }).catch((err) => {
    if (ac.signal.aborted) return
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' })
    res.end(JSON.stringify({ error: { message: `upstream: ${err.code ?? err.message}`, type: 'upstream_error', code: 'upstream_error' } }))
  })
})
server.keepAliveTimeout = 65_000
server.listen(Number(values.port), '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`))
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { server.close(); pool.close().finally(() => process.exit(0)) })
