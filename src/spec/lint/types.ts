/** The shape of a semantic lint rule (SPEC §2 lint): one rule per file, named by its kebab-case id. */
import type { SpecPath } from '../problems.js'
import type { Spec } from '../schema.js'

export interface LintContext {
  /** The validated, defaulted spec; file paths inside it are already absolute. */
  spec: Spec
  /** The document as written, before `${env:...}` interpolation and defaults (for rules about what the user wrote). */
  raw: unknown
}

export interface Finding {
  path: SpecPath
  message: string
  /** Point at the field name instead of its value. */
  at?: 'key' | 'value'
}

export interface LintRule {
  id: string
  severity: 'error' | 'warning'
  /** One sentence for docs and `--format json` consumers. */
  description: string
  check(ctx: LintContext): Finding[]
}
