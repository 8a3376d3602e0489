/** Callers (core/pipeline.ts Caller) compiled once per keys[] entry, plus the anonymous caller (SPEC §3 keys, auth). */
import type { Caller } from '../core/pipeline.js'
import { compileGlobs } from '../core/glob.js'
import type { AdmissionStep } from './admission.js'
import type { KeyConfig } from './access-config.js'

const ALL = (): boolean => true
const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({})

/**
 * A key's identity and everything compiled for it: model globs as one matcher, expiry as epoch ms, and the key's
 * own admission steps (rpm, tpm, budget, concurrency) attached by compileAccess. The hot path reads fields of this
 * object; it never looks the key up again.
 */
export class KeyCaller implements Caller {
  readonly keyId: string | undefined
  readonly metadata: Readonly<Record<string, string>>
  readonly allows: (model: string) => boolean
  /** True when `models` restricts this key (admission checks it: 403 model_not_allowed). */
  readonly isScoped: boolean
  /** Epoch ms after which the key is refused; Infinity when it never expires. */
  readonly expiresAt: number
  /** This key's limit checks, in order; empty when it has none. Set once by compileAccess. */
  steps: readonly AdmissionStep[] = []

  constructor(keyId: string | undefined, metadata: Readonly<Record<string, string>>, models: readonly string[] | undefined, expiresAt: number) {
    this.keyId = keyId
    this.metadata = metadata
    this.isScoped = models !== undefined && !models.includes('*')
    this.allows = this.isScoped ? compileGlobs(models!) : ALL
    this.expiresAt = expiresAt
  }
}

export function compileCaller(key: KeyConfig): KeyCaller {
  const expiresAt = key.expires === undefined ? Infinity : new Date(key.expires).getTime()
  if (Number.isNaN(expiresAt)) throw new Error(`keys[${key.id}].expires is not a valid date`)
  return new KeyCaller(key.id, Object.freeze({ ...(key.metadata ?? {}) }), key.models, expiresAt)
}

/** The caller for requests without a key when auth.required is false: may use every model. */
export function createAnonymousCaller(metadata: Readonly<Record<string, string>> = NO_METADATA): KeyCaller {
  return new KeyCaller(undefined, metadata, undefined, Infinity)
}
