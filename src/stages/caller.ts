/** Callers (core/pipeline.ts Caller) compiled once per keys[] entry, plus the anonymous caller (SPEC §3 keys, auth). */
import type { Caller } from '../core/pipeline.js'
import { compileGlobs } from '../core/glob.js'
import type { AdmissionStep } from './admission.js'
import type { KeyConfig } from './access-config.js'

const ALL = (): boolean => true
const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({})

/**
 * A key's identity and everything compiled for it: model globs as one matcher, expiry as epoch ms, and the key's
 * own admission steps (rpm, tpm, budget, concurrency). The hot path reads fields of this object; it never looks the
 * key up again. The steps and the limit state behind them are built on the key's first admission (compileAccess),
 * not at compile time: a spec with 10,000 keys compiles without 10,000 sets of closures and state entries.
 */
export class KeyCaller implements Caller {
  readonly keyId: string | undefined
  readonly metadata: Readonly<Record<string, string>>
  readonly allows: (model: string) => boolean
  /** True when `models` restricts this key (admission checks it: 403 model_not_allowed). */
  readonly isScoped: boolean
  /** Epoch ms after which the key is refused; Infinity when it never expires. */
  readonly expiresAt: number
  /** The entry this caller was compiled from; its limits become `steps` on first admission. */
  readonly config: KeyConfig | undefined
  /** This key's limit checks, in order; null until its first admission builds them (empty when it has none). */
  steps: readonly AdmissionStep[] | null

  constructor(
    keyId: string | undefined, metadata: Readonly<Record<string, string>>, models: readonly string[] | undefined, expiresAt: number,
    config?: KeyConfig,
  ) {
    this.keyId = keyId
    this.metadata = metadata
    this.isScoped = models !== undefined && !models.includes('*')
    this.allows = this.isScoped ? compileGlobs(models!) : ALL
    this.expiresAt = expiresAt
    this.config = config
    this.steps = config !== undefined && hasKeyLimits(config) ? null : NO_STEPS
  }
}

const NO_STEPS: readonly AdmissionStep[] = Object.freeze([])

/** True when the key has any of rpm, tpm, concurrency or budget. */
export function hasKeyLimits(key: KeyConfig): boolean {
  const l = key.limits
  return key.budget !== undefined || (l !== undefined && (l.rpm !== undefined || l.tpm !== undefined || l.concurrency !== undefined))
}

export function compileCaller(key: KeyConfig): KeyCaller {
  const expiresAt = key.expires === undefined ? Infinity : new Date(key.expires).getTime()
  if (Number.isNaN(expiresAt)) throw new Error(`keys[${key.id}].expires is not a valid date`)
  return new KeyCaller(key.id, frozenMetadata(key.metadata), key.models, expiresAt, key)
}

/** A frozen copy; every key without metadata (the usual case) shares one empty object. */
function frozenMetadata(m: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> {
  if (m === undefined) return NO_METADATA
  for (const _ in m) return Object.freeze({ ...m })
  return NO_METADATA
}

/** The caller for requests without a key when auth.required is false: may use every model. */
export function createAnonymousCaller(metadata: Readonly<Record<string, string>> = NO_METADATA): KeyCaller {
  return new KeyCaller(undefined, metadata, undefined, Infinity)
}
