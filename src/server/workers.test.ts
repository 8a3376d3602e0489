/** server/workers.ts: N threads share one port (SO_REUSEPORT), messages, crash restart, close (issue 3 item 8). */
import assert from 'node:assert/strict'
import { get } from 'node:http'
import { connect } from 'node:net'
import { test } from 'node:test'
import { isMainThread } from 'node:worker_threads'
import type { Route } from '../core/types.js'
import { createFakeGateway } from '../testing/fake-gateway.js'
import { startServer } from './server.js'
import { onCloseRequest, onPoolMessage, postToPool, readWorkerInit, reportListening, startWorkers } from './workers.js'

/** This file is also the worker entry: in a worker thread it serves GET /who -> "worker <index>". */
async function workerMain(): Promise<void> {
  const init = readWorkerInit()
  const who: Route = { hasBody: false, handle: (_ex, sink) => sink.send(200, [], `worker ${init.index}`) }
  const handle = await startServer({ host: '127.0.0.1', port: init.port ?? 0, gateway: createFakeGateway({ main: { 'GET /who': who } }) })
  onPoolMessage((msg) => {
    if (msg === 'crash') setImmediate(() => { throw new Error(`worker ${init.index} crashed on purpose`) })
    else postToPool({ echo: msg, index: init.index })
  })
  onCloseRequest((graceMs) => handle.drain(graceMs))
  reportListening(handle.port)
}

/** A fresh connection per call, so the kernel picks a listener each time. */
const who = (port: number) =>
  new Promise<string>((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/who', agent: false }, (res) => {
      let text = ''
      res.on('data', (d) => (text += d))
      res.on('end', () => resolve(text))
    }).on('error', reject)
  })

const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1')
    s.on('connect', () => (s.destroy(), resolve(false)))
    s.on('error', () => resolve(true))
  })

if (!isMainThread) {
  await workerMain()
} else {
  test('2 workers on one port (port 0 requested): both answer; post/onMessage; close stops them', async (t) => {
    const pool = await startWorkers({ count: 2, entry: new URL(import.meta.url), workerData: null, port: 0, host: '127.0.0.1' })
    t.after(() => pool.close(500))
    assert.ok(pool.port > 0)
    const seen = new Set<string>()
    for (let i = 0; i < 60 && seen.size < 2; i++) seen.add(await who(pool.port))
    assert.deepEqual([...seen].sort(), ['worker 0', 'worker 1'])
    const echoes: unknown[] = []
    pool.onMessage((msg, index) => echoes.push([msg, index]))
    pool.post('ping')
    for (let i = 0; i < 100 && echoes.length < 2; i++) await new Promise((r) => setTimeout(r, 10))
    assert.equal(echoes.length, 2)
    await pool.close(500)
    assert.equal(await refused(pool.port), true)
  })

  test('a crashed worker is reported and restarted once on the same port', async (t) => {
    const crashes: Array<[number, boolean]> = []
    const pool = await startWorkers({
      count: 1,
      entry: new URL(import.meta.url),
      workerData: null,
      port: 0,
      host: '127.0.0.1',
      onCrash: (index, _err, willRestart) => crashes.push([index, willRestart]),
    })
    t.after(() => pool.close(500))
    assert.equal(await who(pool.port), 'worker 0')
    pool.post('crash')
    for (let i = 0; i < 300 && crashes.length === 0; i++) await new Promise((r) => setTimeout(r, 10))
    assert.deepEqual(crashes, [[0, true]])
    let answer = ''
    for (let i = 0; i < 300 && answer === ''; i++) {
      answer = await who(pool.port).catch(() => '')
      if (answer === '') await new Promise((r) => setTimeout(r, 20))
    }
    assert.equal(answer, 'worker 0')
    pool.post('crash')
    for (let i = 0; i < 300 && crashes.length === 1; i++) await new Promise((r) => setTimeout(r, 10))
    assert.deepEqual(crashes, [[0, true], [0, false]])
  })

  test('a worker that fails to start rejects startWorkers and leaves no thread behind', async () => {
    await assert.rejects(
      startWorkers({ count: 2, entry: new URL('data:text/javascript,throw new Error("no start")'), workerData: null, port: 0, host: '127.0.0.1' }),
      /no start/,
    )
  })
}
