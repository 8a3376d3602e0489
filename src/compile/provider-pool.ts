/** Provider clients shared by successive Gateways (SPEC §6): reused while their identity (name + config hash) is unchanged. */
import type { ProviderClient } from '../providers/types.js'

export interface ProviderPool {
  /** The client for this identity, created on first use; each acquire must be paired with one release. */
  acquire(identity: string, create: () => ProviderClient): ProviderClient
  /** Drop one reference; the client is closed when no Gateway holds it any more. */
  release(identity: string): Promise<void>
  /** Identities alive now (tests, /admin). */
  readonly size: number
}

export function createProviderPool(): ProviderPool {
  const entries = new Map<string, { client: ProviderClient; refs: number }>()
  return {
    acquire(identity, create) {
      let e = entries.get(identity)
      if (e === undefined) {
        e = { client: create(), refs: 0 }
        entries.set(identity, e)
      }
      e.refs++
      return e.client
    },
    async release(identity) {
      const e = entries.get(identity)
      if (e === undefined) return
      if (--e.refs > 0) return
      entries.delete(identity)
      await e.client.close()
    },
    get size() {
      return entries.size
    },
  }
}
