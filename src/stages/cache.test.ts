/** Response cache (SPEC §3 models[].cache): keys, TTL, LRU bounds. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { cacheKey, createMemoryCache, isBypass } from './cache.js'

const entry = (text: string) => ({ contentType: 'application/json', headers: [], body: Buffer.from(text) })
const bytes = (s: string) => new TextEncoder().encode(s)

test('the key covers endpoint, model and the exact body bytes', () => {
  const a = cacheKey('chat', 'm', bytes('{"a":1}'))
  assert.equal(a, cacheKey('chat', 'm', bytes('{"a":1}')))
  assert.notEqual(a, cacheKey('chat', 'm', bytes('{"a":2}')))
  assert.notEqual(a, cacheKey('chat', 'n', bytes('{"a":1}')))
  assert.notEqual(a, cacheKey('completions', 'm', bytes('{"a":1}')))
})

test('entries expire after their TTL', async () => {
  const c = createMemoryCache()
  c.set('k', entry('v'), 30)
  assert.equal(c.get('k')?.body.toString(), 'v')
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(c.get('k'), undefined)
  assert.equal(c.size, 0)
})

test('an entry kept for stale answers: fresh lookups miss it past its ttl, getStale finds it until ttl + staleMs', async () => {
  const c = createMemoryCache()
  c.set('k', entry('v'), 30, 60_000)
  c.set('plain', entry('p'), 30)
  assert.equal(c.get('k')?.body.toString(), 'v')
  assert.equal(c.getStale('k')?.body.toString(), 'v', 'a fresh entry is also a stale candidate')
  await new Promise((r) => setTimeout(r, 45))
  assert.equal(c.get('k'), undefined)
  assert.equal(c.getStale('k')?.body.toString(), 'v')
  assert.equal(c.getStale('plain'), undefined, 'no staleMs: gone at its ttl')
  assert.equal(c.size, 1)
  c.set('k', entry('new'), 10, 20)
  assert.equal(c.getStale('k')?.body.toString(), 'new', 'a new answer replaces the stale one')
  await new Promise((r) => setTimeout(r, 50))
  assert.equal(c.getStale('k'), undefined, 'gone past ttl + staleMs')
  assert.equal(c.size, 0)
  assert.equal(c.bytes, 0)
})

test('entries kept for stale answers count against the size caps like any other', () => {
  const c = createMemoryCache({ maxEntries: 2, maxBytes: 1000, maxEntryBytes: 100 })
  c.set('a', entry('1'), 60_000, 3_600_000)
  c.set('b', entry('2'), 60_000, 3_600_000)
  c.set('c', entry('3'), 60_000, 3_600_000)
  assert.equal(c.size, 2)
  assert.equal(c.getStale('a'), undefined, 'the least recently used went first')
})

test('least recently used entries go first when over the entry or byte bound', () => {
  const c = createMemoryCache({ maxEntries: 2, maxBytes: 1000, maxEntryBytes: 100 })
  c.set('a', entry('1'), 60_000)
  c.set('b', entry('2'), 60_000)
  c.get('a')
  c.set('c', entry('3'), 60_000)
  assert.equal(c.get('b'), undefined)
  assert.ok(c.get('a') && c.get('c'))
  const small = createMemoryCache({ maxEntries: 100, maxBytes: 10, maxEntryBytes: 8 })
  small.set('big', entry('123456789'), 60_000)
  assert.equal(small.size, 0, 'an entry over maxEntryBytes is not stored')
  small.set('x', entry('12345'), 60_000)
  small.set('y', entry('12345'), 60_000)
  small.set('z', entry('12345'), 60_000)
  assert.ok(small.bytes <= 10)
  assert.equal(small.get('x'), undefined)
})

test('cache-control no-cache / no-store bypass the cache', () => {
  assert.equal(isBypass(undefined), false)
  assert.equal(isBypass('no-cache'), true)
  assert.equal(isBypass('max-age=0, No-Store'), true)
  assert.equal(isBypass('max-age=60'), false)
})
