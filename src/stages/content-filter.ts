/** `rules[].type: content-filter` (SPEC §3 rules): block (400 content_filtered) or mask (***) listed words. */
import { GatewayError } from '../core/errors.js'
import type { Guard } from '../core/pipeline.js'
import { visitRequestText } from '../wire/text-parts.js'

export interface ContentFilterRule {
  readonly words: readonly string[]
  readonly action: 'block' | 'mask'
  readonly scope: readonly ('request' | 'response')[]
}

/** Applied to response bytes (JSON or SSE text) by the relay: the text with words masked, or a GatewayError to block. */
export type ResponseFilter = (text: string) => string | GatewayError

export const MASK = '***'

/**
 * One case-insensitive RegExp for all words, built once. Word boundaries apply only at ends that are word
 * characters, so "secret-project" matches inside "the secret-project plan" but "ass" does not match "class".
 */
export function compileWordPattern(words: readonly string[]): RegExp | null {
  const parts = words
    .map((w) => w.trim())
    .filter((w) => w.length > 0)
    .map((w) => {
      const esc = w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      return `${/^\w/.test(w) ? '\\b' : ''}${esc}${/\w$/.test(w) ? '\\b' : ''}`
    })
  return parts.length === 0 ? null : new RegExp(parts.join('|'), 'gi')
}

/** Words from a wordsFile: one per line; blank lines and lines starting with # are ignored. */
export function parseWordsFile(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && !l.startsWith('#'))
}

const blocked = () => new GatewayError('content_filtered', 'the request was blocked by a content filter')
const blockedResponse = () => new GatewayError('content_filtered', 'the response was blocked by a content filter')

export function compileRequestFilter(rule: ContentFilterRule): Guard | null {
  if (!rule.scope.includes('request')) return null
  const re = compileWordPattern(rule.words)
  if (re === null) return null
  if (rule.action === 'block') {
    return (cx) => {
      visitRequestText(cx.endpoint, cx.body, (text) => {
        re.lastIndex = 0
        if (re.test(text)) throw blocked()
        return undefined
      })
    }
  }
  return (cx) => {
    visitRequestText(cx.endpoint, cx.body, (text) => {
      re.lastIndex = 0
      return re.test(text) ? text.replace(re, MASK) : undefined
    })
  }
}

/**
 * Response scope. Words are matched in the raw JSON/SSE text (listed words hold no JSON escapes), so the relay needs
 * no re-parse. A word split across two stream chunks is not seen: tokens rarely split a listed word, and buffering
 * the stream to catch it would break streaming.
 */
export function compileResponseFilter(rule: ContentFilterRule): ResponseFilter | null {
  if (!rule.scope.includes('response')) return null
  const re = compileWordPattern(rule.words)
  if (re === null) return null
  if (rule.action === 'block') {
    return (text) => {
      re.lastIndex = 0
      return re.test(text) ? blockedResponse() : text
    }
  }
  return (text) => {
    re.lastIndex = 0
    return re.test(text) ? text.replace(re, MASK) : text
  }
}
