/** Files a spec depends on besides itself (SPEC §6: the watcher reloads when any of them changes). */
import { resolve } from 'node:path'
import { protocolFiles } from './protocol-files.js'
import type { Spec } from './schema.js'

/** Absolute paths of wordsFile, publicKeyFile, protocol, apiKeyFile and plugin module references, without duplicates, spec file excluded. */
export function referencedFiles(spec: Spec, specFile: string): string[] {
  const self = resolve(specFile)
  const out = new Set<string>()
  // Paths are absolute already after load; resolve() keeps them and makes hand-built specs work too.
  const base = resolve(self, '..')
  for (const r of spec.rules) {
    if (r.type === 'content-filter' && r.wordsFile !== undefined) out.add(resolve(base, r.wordsFile))
    if (r.type === 'plugin') out.add(resolve(base, r.module))
  }
  const pem = spec.auth.jwt?.publicKeyFile
  if (pem !== undefined) out.add(resolve(base, pem))
  for (const p of spec.providers) for (const f of protocolFiles(p)) out.add(resolve(base, f))
  // an edited (or swapped: Kubernetes secret mounts) key file reloads like the spec: new keys, in-flight calls unharmed
  for (const p of spec.providers) if (p.apiKeyFile !== undefined) out.add(resolve(base, p.apiKeyFile))
  out.delete(self)
  return [...out]
}
