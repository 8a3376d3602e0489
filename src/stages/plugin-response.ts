/**
 * The plugins' answer side (SPEC §3 rules[].type: plugin): onResponse on a whole JSON answer, onChunk on each
 * streamed SSE event's JSON, in rule order. Built per request only when a plugin that took the request has one
 * of these hooks; otherwise the relay has no plugin code on its path.
 */
import { GatewayError } from '../core/errors.js'
import type { ActivePlugin } from '../core/pipeline.js'
import { createSseSplitter, formatSseEvent, type SseEvent } from '../wire/sse.js'

export interface PluginTransform {
  /** Streamed bytes in, rewritten SSE text out (events split across pushes are held until complete). */
  chunk(text: string): string | GatewayError
  /** The stream ended: what is still held (an event without its closing blank line). */
  end(): string | GatewayError
  /** A whole answer's text in, rewritten text out. */
  whole(text: string): string | GatewayError
}

/** undefined when none of the plugins has onResponse or onChunk. */
export function createPluginTransform(plugins: readonly ActivePlugin[] | undefined): PluginTransform | undefined {
  if (plugins === undefined) return undefined
  const onChunk = plugins.filter((p) => p.plugin.onChunk !== undefined)
  const onResponse = plugins.filter((p) => p.plugin.onResponse !== undefined)
  if (onChunk.length === 0 && onResponse.length === 0) return undefined
  let out = ''
  let failed: GatewayError | undefined
  const onEvent = (e: SseEvent): void => {
    if (failed !== undefined) return
    const r = rewriteEvent(e, onChunk)
    if (r instanceof GatewayError) failed = r
    else out += r
  }
  const splitter = onChunk.length === 0 ? undefined : createSseSplitter(onEvent)
  const flush = (): string | GatewayError => {
    if (failed !== undefined) return failed
    const s = out
    out = ''
    return s
  }
  return {
    chunk(text) {
      if (splitter === undefined) return text
      try {
        splitter.push(Buffer.from(text))
      } catch (e) {
        return new GatewayError('upstream_error', e instanceof Error ? e.message : String(e))
      }
      return flush()
    },
    end() {
      if (splitter === undefined) return ''
      splitter.end()
      return flush()
    },
    whole(text) {
      if (onResponse.length === 0) return text
      let body: unknown
      try {
        body = JSON.parse(text)
      } catch {
        return text // not JSON (an upstream's odd answer): nothing for onResponse to read
      }
      if (body === null || typeof body !== 'object') return text
      for (const p of onResponse) {
        try {
          const r = p.run(() => p.plugin.onResponse!(p.ctx, body as Record<string, unknown>))
          if (r !== undefined) {
            if (r === null || typeof r !== 'object' || isThenable(r)) throw new Error(`onResponse returned ${isThenable(r) ? 'a promise (it must answer synchronously)' : String(r)}; return nothing or the new body`)
            body = r
          }
        } catch (e) {
          return p.fail('onResponse', e)
        }
      }
      return JSON.stringify(body)
    },
  }
}

/** One event through every onChunk: `data: [DONE]`, comments and non-JSON data pass unchanged. */
function rewriteEvent(e: SseEvent, plugins: readonly ActivePlugin[]): string | GatewayError {
  const raw = Buffer.from(e.raw).toString('utf8')
  if (e.data === '' || e.data === '[DONE]' || e.data[0] !== '{') return raw
  let chunk: Record<string, unknown>
  try {
    chunk = JSON.parse(e.data) as Record<string, unknown>
  } catch {
    return raw
  }
  for (const p of plugins) {
    try {
      const r = p.run(() => p.plugin.onChunk!(p.ctx, chunk))
      if (r === null) return '' // dropped
      if (r !== undefined) {
        if (typeof r !== 'object' || isThenable(r)) throw new Error(`onChunk returned ${isThenable(r) ? 'a promise (it must answer synchronously)' : typeof r}; return nothing, the new chunk or null`)
        chunk = r
      }
    } catch (err) {
      return p.fail('onChunk', err)
    }
  }
  return formatSseEvent(JSON.stringify(chunk), e.event)
}

function isThenable(v: unknown): boolean {
  return typeof (v as { then?: unknown } | null)?.then === 'function'
}
