import assert from 'node:assert/strict'
import { test } from 'node:test'
import { LiveList, type LiveNode } from './live-list.js'

class Node implements LiveNode<Node> {
  livePrev: Node | undefined = undefined
  liveNext: Node | undefined = undefined
  constructor(readonly id: number) {}
}

test('live list: add, delete anywhere, delete twice, and a removed node keeps no links', () => {
  const l = new LiveList<Node>()
  const ns = [1, 2, 3, 4].map((i) => new Node(i))
  for (const n of ns) l.add(n)
  assert.equal(l.size, 4)
  assert.deepEqual(l.toArray().map((n) => n.id), [4, 3, 2, 1])
  l.delete(ns[2]!) // middle
  l.delete(ns[3]!) // head
  l.delete(ns[0]!) // tail
  l.delete(ns[0]!) // again: no-op
  assert.deepEqual(l.toArray().map((n) => n.id), [2])
  assert.equal(l.size, 1)
  for (const n of [ns[0]!, ns[2]!, ns[3]!]) assert.deepEqual([n.livePrev, n.liveNext], [undefined, undefined])
  const lone = new Node(9)
  l.delete(lone) // never added: no-op
  assert.equal(l.size, 1)
  l.delete(ns[1]!)
  assert.deepEqual(l.toArray(), [])
  assert.equal(l.size, 0)
})
