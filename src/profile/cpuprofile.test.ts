/** The .cpuprofile / .heapprofile text summaries of `llmgw profile` (SPEC §2): self time per function from samples. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatCpuSummary, summarizeCpuProfile, type CpuProfile } from './cpuprofile.js'
import { formatHeapSummary, summarizeHeapProfile } from './heapprofile.js'

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '0' })

const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('parseBody', 'file:///app/dist/server/body.js', 9), children: [6] },
    { id: 4, callFrame: frame('(garbage collector)') },
    { id: 5, callFrame: frame('', 'node:internal/streams', 1) },
    { id: 6, callFrame: frame('parseBody', 'file:///app/dist/server/body.js', 9) },
  ],
  startTime: 0,
  endTime: 10_000,
  // sample i lasts timeDeltas[i + 1] µs
  samples: [2, 3, 3, 6, 4, 5, 2],
  timeDeltas: [0, 4000, 1000, 1000, 1000, 500, 500],
}

test('self time aggregates a function over call sites; idle is reported apart', () => {
  const s = summarizeCpuProfile(profile, 10, '/app')
  assert.equal(s.totalMs, 8)
  assert.equal(s.idlePercent, 50)
  assert.deepEqual(s.top.map((r) => [r.name, r.location, r.selfMs]), [
    ['parseBody', 'dist/server/body.js:10', 3],
    ['(garbage collector)', '', 0.5],
    ['(anonymous)', 'node:internal/streams:2', 0.5],
  ])
  assert.equal(s.top[0]!.percent, 37.5)
})

test('the summary is at most N lines of functions plus a header', () => {
  const text = formatCpuSummary(summarizeCpuProfile(profile, 2, '/app'))
  const lines = text.split('\n')
  assert.equal(lines.length, 3)
  assert.match(lines[0]!, /8 ms sampled, 50\.0% idle/)
  assert.match(lines[1]!, /^ 1\.\s+37\.5%\s+3\.0 ms  parseBody  dist\/server\/body\.js:10$/)
})

test('profiles without samples fall back to hitCount', () => {
  const p: CpuProfile = { nodes: [{ id: 1, callFrame: frame('(root)'), hitCount: 0 }, { id: 2, callFrame: frame('hot', 'file:///x.js'), hitCount: 3 }, { id: 3, callFrame: frame('(idle)'), hitCount: 1 }], startTime: 0, endTime: 4000 }
  const s = summarizeCpuProfile(p)
  assert.equal(s.top[0]!.name, 'hot')
  assert.equal(s.idlePercent, 25)
})

test('heap summary ranks allocation sites by sampled bytes', () => {
  const s = summarizeHeapProfile({
    head: { callFrame: { functionName: '(root)', url: '', lineNumber: 0 }, selfSize: 0, children: [
      { callFrame: { functionName: 'alloc', url: 'file:///app/a.js', lineNumber: 4 }, selfSize: 3072, children: [] },
      { callFrame: { functionName: 'small', url: '', lineNumber: 0 }, selfSize: 1024 },
    ] },
  }, 5, '/app')
  assert.equal(s.totalBytes, 4096)
  assert.deepEqual(s.top.map((r) => [r.name, r.location, r.percent]), [['alloc', 'a.js:5', 75], ['small', '(native)', 25]])
  assert.match(formatHeapSummary(s), /75\.0%\s+3 kB  alloc  a\.js:5/)
})
