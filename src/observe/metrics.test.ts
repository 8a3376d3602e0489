/** Tests for observe/metrics.ts: SPEC §5 names, valid text format, counters move, bounded cardinality, workers merge. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { createMetrics, mergeMetricsText } from './metrics.js'
import { parsePromText, sampleValue } from './prom-text.js'
import { syntheticRecord } from './synthetic-record.js'

const SPEC_NAMES: Record<string, { type: string; labels: string[] }> = {
  llmgw_requests_total: { type: 'counter', labels: ['model', 'provider', 'status'] },
  llmgw_request_duration_seconds: { type: 'histogram', labels: [] },
  llmgw_upstream_ttft_seconds: { type: 'histogram', labels: [] },
  llmgw_tokens_total: { type: 'counter', labels: ['model', 'direction'] },
  llmgw_cost_usd_total: { type: 'counter', labels: ['key', 'model'] },
  llmgw_cache_requests_total: { type: 'counter', labels: ['result'] },
  llmgw_ratelimit_rejections_total: { type: 'counter', labels: ['scope'] },
  llmgw_breaker_state: { type: 'gauge', labels: ['provider'] },
  llmgw_inflight_requests: { type: 'gauge', labels: [] },
  llmgw_config_reloads_total: { type: 'counter', labels: ['result'] },
  llmgw_config_info: { type: 'gauge', labels: ['version'] },
}

const SETS = { models: ['gpt-4o', 'claude-sonnet'], providers: ['openai', 'claude'], keys: ['team-a', 'team-b'] }

async function scrape(m: ReturnType<typeof createMetrics>) {
  return parsePromText(await m.text())
}

test('every SPEC §5 name is present with its type and exactly its labels', async () => {
  const m = createMetrics(SETS)
  m.setConfigVersion('v1')
  m.onStart()
  m.onEnd(syntheticRecord({ ttftMs: 120, cache: 'MISS' }))
  m.rejections('key').inc()
  m.reload('ok')
  const families = await scrape(m)
  for (const [name, want] of Object.entries(SPEC_NAMES)) {
    const f = families.get(name)
    assert.ok(f, `${name} missing`)
    assert.equal(f.type, want.type, name)
    assert.ok(f.samples.length > 0, `${name} has no samples`)
    for (const s of f.samples) {
      const names = Object.keys(s.labels).filter((l) => l !== 'le').sort()
      assert.deepEqual(names, [...want.labels].sort(), `${name} labels`)
    }
  }
  assert.match(m.contentType, /^text\/plain; version=0\.0\.4/)
})

test('counters move with synthetic records', async () => {
  const breakers: Array<{ name: string; breaker: 'closed' | 'open' | 'half-open' }> = [{ name: 'claude', breaker: 'closed' }]
  const m = createMetrics(SETS, { breakers: () => breakers })
  for (let i = 0; i < 3; i++) m.onStart()
  m.onEnd(syntheticRecord({ model: 'gpt-4o', provider: 'openai', status: 200, promptTokens: 10, completionTokens: 5, costUsd: 0.25, keyId: 'team-a', latencyMs: 300, ttftMs: 40, cache: 'HIT' }))
  m.onEnd(syntheticRecord({ model: 'gpt-4o', provider: 'openai', status: 200, promptTokens: 1, completionTokens: 2, costUsd: 0.5, keyId: 'team-a', latencyMs: 30_000, ttftMs: undefined }))
  let f = await scrape(m)
  assert.equal(sampleValue(f, 'llmgw_requests_total', { model: 'gpt-4o', provider: 'openai', status: '200' }), 2)
  assert.equal(sampleValue(f, 'llmgw_tokens_total', { model: 'gpt-4o', direction: 'input' }), 11)
  assert.equal(sampleValue(f, 'llmgw_tokens_total', { model: 'gpt-4o', direction: 'output' }), 7)
  assert.equal(sampleValue(f, 'llmgw_cost_usd_total', { key: 'team-a', model: 'gpt-4o' }), 0.75)
  assert.equal(sampleValue(f, 'llmgw_cache_requests_total', { result: 'hit' }), 1)
  assert.equal(sampleValue(f, 'llmgw_inflight_requests'), 1)
  assert.equal(sampleValue(f, 'llmgw_request_duration_seconds_count'), 2)
  assert.equal(sampleValue(f, 'llmgw_request_duration_seconds_bucket', { le: '0.5' }), 1)
  assert.equal(sampleValue(f, 'llmgw_request_duration_seconds_bucket', { le: '30' }), 2)
  assert.equal(sampleValue(f, 'llmgw_upstream_ttft_seconds_count'), 1, 'ttft only for streams')
  // A second scrape must not count the same deltas twice.
  m.onEnd(syntheticRecord({ model: 'gpt-4o', provider: 'openai', status: 200, promptTokens: 1, keyId: undefined, costUsd: 1 }))
  f = await scrape(m)
  assert.equal(sampleValue(f, 'llmgw_requests_total', { model: 'gpt-4o', provider: 'openai', status: '200' }), 3)
  assert.equal(sampleValue(f, 'llmgw_tokens_total', { model: 'gpt-4o', direction: 'input' }), 12)
  assert.equal(sampleValue(f, 'llmgw_cost_usd_total', { key: 'anonymous', model: 'gpt-4o' }), 1)
  m.rejections('ip').inc()
  m.rejections('ip').inc()
  m.reload('error')
  assert.equal(sampleValue(await scrape(m), 'llmgw_breaker_state', { provider: 'claude' }), 0)
  // read live at each scrape: whatever the serving breakers say now, unknown providers ignored
  breakers[0]!.breaker = 'half-open'
  breakers.push({ name: 'not-in-spec', breaker: 'open' })
  m.setConfigVersion('v1')
  m.setConfigVersion('v2')
  f = await scrape(m)
  assert.equal(sampleValue(f, 'llmgw_ratelimit_rejections_total', { scope: 'ip' }), 2)
  assert.equal(sampleValue(f, 'llmgw_config_reloads_total', { result: 'error' }), 1)
  assert.equal(sampleValue(f, 'llmgw_breaker_state', { provider: 'claude' }), 2)
  assert.equal(f.get('llmgw_breaker_state')!.samples.some((x) => x.labels.provider === 'not-in-spec'), false)
  assert.deepEqual(f.get('llmgw_config_info')!.samples.map((s) => [s.labels.version, s.value]), [['v2', 1]])
})

test('10,000 random model, provider and key names create no new series', async () => {
  const m = createMetrics(SETS)
  m.onEnd(syntheticRecord({ model: 'gpt-4o', provider: 'openai', keyId: 'team-a', costUsd: 0.1 }))
  const before = (await m.text()).split('\n').length
  const seen: string[] = []
  for (let i = 0; i < 10_000; i++) {
    const junk = randomBytes(8).toString('hex')
    if (i % 1000 === 0) seen.push(junk)
    // compile/ maps unknown names to undefined, but metrics must stay bounded even if a raw name slips through.
    m.onEnd(syntheticRecord({ modelAsked: junk, model: i % 2 ? junk : undefined, provider: junk, keyId: junk, costUsd: 0.1, status: 404 }))
  }
  const text = await m.text()
  const f = parsePromText(text)
  assert.ok(text.split('\n').length <= before + 8, 'only a handful of unknown series may appear')
  assert.equal(sampleValue(f, 'llmgw_requests_total', { model: 'unknown', provider: 'unknown', status: '404' }), 10_000)
  assert.equal(sampleValue(f, 'llmgw_cost_usd_total', { key: 'unknown', model: 'unknown' }).toFixed(6), (1000).toFixed(6))
  for (const junk of seen) assert.ok(!text.includes(junk), `${junk} leaked into a label`)
})

test('updateLabels keeps values of kept models and drops removed ones', async () => {
  const m = createMetrics(SETS)
  m.onEnd(syntheticRecord({ model: 'gpt-4o', provider: 'openai', status: 200 }))
  m.onEnd(syntheticRecord({ model: 'claude-sonnet', provider: 'claude', status: 200 }))
  await m.text()
  m.updateLabels({ models: ['gpt-4o', 'new-model'], providers: ['openai'], keys: [] })
  m.onEnd(syntheticRecord({ model: 'gpt-4o', provider: 'openai', status: 200 }))
  m.onEnd(syntheticRecord({ model: 'new-model', provider: 'openai', status: 200 }))
  m.onEnd(syntheticRecord({ model: 'claude-sonnet', provider: 'claude', status: 200 }))
  const f = await scrape(m)
  assert.equal(sampleValue(f, 'llmgw_requests_total', { model: 'gpt-4o', provider: 'openai', status: '200' }), 2)
  assert.equal(sampleValue(f, 'llmgw_requests_total', { model: 'new-model', provider: 'openai', status: '200' }), 1)
  assert.equal(sampleValue(f, 'llmgw_requests_total', { model: 'unknown', provider: 'unknown', status: '200' }), 1)
  const text = await m.text()
  assert.ok(!text.includes('claude-sonnet'), 'removed model series are gone')
  assert.ok(!text.includes('provider="claude"'), 'removed provider series are gone')
})

test('mergeMetricsText sums counters over workers and keeps gauges like config_info at 1', async () => {
  const workers = [createMetrics(SETS), createMetrics(SETS)]
  for (const w of workers) {
    w.setConfigVersion('abc')
    w.onStart()
    w.onEnd(syntheticRecord({ model: 'gpt-4o', provider: 'openai', status: 200, promptTokens: 3 }))
    w.onStart()
  }
  const merged = parsePromText(await mergeMetricsText(await Promise.all(workers.map((w) => w.metricsJSON()))))
  assert.equal(sampleValue(merged, 'llmgw_requests_total', { model: 'gpt-4o', provider: 'openai', status: '200' }), 2)
  assert.equal(sampleValue(merged, 'llmgw_tokens_total', { model: 'gpt-4o', direction: 'input' }), 6)
  assert.equal(sampleValue(merged, 'llmgw_inflight_requests'), 2)
  assert.equal(sampleValue(merged, 'llmgw_config_info', { version: 'abc' }), 1)
  assert.equal(sampleValue(merged, 'llmgw_request_duration_seconds_count'), 2)
})

test('parsePromText rejects malformed exposition text', () => {
  assert.throws(() => parsePromText('llmgw_x 1\n'), /no # TYPE/)
  assert.throws(() => parsePromText('# TYPE a counter\na{b="c} 1\n'), /line 2/)
  assert.throws(() => parsePromText('# TYPE a counter\na 1x\n'), /bad sample value/)
})

test('HistogramSlot scrapes exactly as prom-client observe() would (bounds, +Inf, sum order, values that are skipped)', async () => {
  const { Histogram, Registry } = await import('prom-client')
  const { HistogramSlot } = await import('./metric-labels.js')
  const buckets = [0.01, 0.025, 0.1, 1, 2.5, 120]
  const mine = new Registry()
  const ref = new Registry()
  const slot = new HistogramSlot(buckets)
  const h: InstanceType<typeof Histogram<string>> = new Histogram({ name: 'h_seconds', help: 'h', buckets, registers: [mine], collect: () => slot.flush(h) })
  const want = new Histogram({ name: 'h_seconds', help: 'h', buckets, registers: [ref] })
  const feed = (v: number): void => {
    slot.observe(v)
    try {
      want.observe(v)
    } catch {
      // prom-client refuses non-finite values and records nothing; the slot skips them
    }
  }
  assert.equal(await mine.metrics(), await ref.metrics(), 'before any observation')
  // Bounds exactly, just above them, beyond the last, zero, negative, and irregular fractions (the sum's rounding).
  for (const v of [...buckets, ...buckets.map((b) => b + 1e-9), 0, -1, 500, Number.NaN, Number.POSITIVE_INFINITY]) feed(v)
  for (let i = 0; i < 5000; i++) feed(((i * 7919) % 3001) / 997)
  assert.equal(await mine.metrics(), await ref.metrics())
  // A second scrape after more observations (state is copied whole, not as deltas, so nothing counts twice).
  for (let i = 0; i < 100; i++) feed(i / 33)
  assert.equal(await mine.metrics(), await ref.metrics())
  assert.deepEqual(await mine.getMetricsAsJSON(), await ref.getMetricsAsJSON())
})
