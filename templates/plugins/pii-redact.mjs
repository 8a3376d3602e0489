// llmgw plugin "pii-redact": masks e-mail addresses and phone numbers in requests and in answers, streamed included.
// rules:
//   - type: plugin
//     module: ./plugins/pii-redact.mjs
//     options: { mask: "[redacted]", emails: true, phones: true, patterns: [] }   # patterns: extra regular expressions
// Hook API: see "Plugins" in llmgw's README (types: import('llmgw/plugin')).

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
const PHONE = /\+?\d[\d\s().-]{7,}\d/g
// Keys whose string values are text in the chat, Anthropic and Responses shapes (never ids, models or roles).
// What a chat stream holds back: the unfinished last word, or a number still being written ("+1 555 01").
const HELD_TAIL = /(?:\+?\d[\d\s().-]*|\S*)$/
const TEXT_KEYS = new Set(['content', 'text', 'delta', 'refusal', 'arguments', 'input', 'instructions', 'system', 'prompt'])

/** @type {import('llmgw/plugin').PluginSetup} */
export default function setup(options = {}) {
  const mask = typeof options.mask === 'string' ? options.mask : '[redacted]'
  const patterns = [
    ...(options.emails === false ? [] : [EMAIL]),
    ...(options.phones === false ? [] : [PHONE]),
    ...(Array.isArray(options.patterns) ? options.patterns.map((p) => new RegExp(String(p), 'g')) : []),
  ]
  const redact = (s) => patterns.reduce((t, re) => t.replace(re, mask), s)
  // every string under a text key, however deep (message content parts, tool call arguments, Anthropic blocks)
  const walk = (v, key) => {
    if (typeof v === 'string') return TEXT_KEYS.has(key) ? redact(v) : v
    if (Array.isArray(v)) return v.map((x) => walk(x, key))
    if (v && typeof v === 'object') for (const k of Object.keys(v)) v[k] = walk(v[k], k)
    return v
  }

  return {
    name: 'pii-redact',
    onRequest(ctx) {
      walk(ctx.body, '')
    },
    onResponse(_ctx, body) {
      walk(body, '')
    },
    // Streamed text arrives a few characters at a time: an address can be split across chunks. For chat streams the
    // last word (or a trailing run of phone-number characters) is held back and sent with the next chunk or the last
    // one, so a split address is masked whole; other stream shapes (Anthropic, Responses events) are masked per event.
    onChunk(ctx, chunk) {
      if (!Array.isArray(chunk.choices)) return walk(chunk, '')
      const held = (ctx.state.held ??= {})
      for (const c of chunk.choices) {
        const d = c.delta
        if (!d || typeof d !== 'object') {
          walk(c, '') // legacy completions: choices[].text
          continue
        }
        if (d.tool_calls) walk(d.tool_calls, '')
        if (typeof d.content !== 'string' && c.finish_reason == null) continue
        const text = (held[c.index] ?? '') + (d.content ?? '')
        const cut = c.finish_reason != null ? text.length : text.length - HELD_TAIL.exec(text)[0].length
        held[c.index] = text.slice(cut)
        if (typeof d.content === 'string' || cut > 0) d.content = redact(text.slice(0, cut))
      }
      return chunk
    },
  }
}
