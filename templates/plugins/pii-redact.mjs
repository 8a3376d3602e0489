// llmgw plugin "pii-redact": masks e-mail addresses and phone numbers in requests and in answers, streamed included.
// rules:
//   - type: plugin
//     module: ./plugins/pii-redact.mjs
//     options: { mask: "[redacted]", emails: true, phones: true, patterns: [] }   # patterns: extra regular expressions
// Hook API: see "Plugins" in llmgw's README (types: import('llmgw/plugin')).

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g
const PHONE = /\+?\d[\d\s().-]{7,}\d/g
// Keys whose string values are text in the chat, Anthropic and Responses shapes (never ids, models or roles).
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
    // text after the last space is held back and sent with the next chunk (or the last one), so a split address is
    // masked whole; other stream shapes (Anthropic, Responses events) are masked event by event.
    onChunk(ctx, chunk) {
      const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined
      const delta = choice?.delta
      if (!delta || (typeof delta.content !== 'string' && choice.finish_reason == null)) return walk(chunk, '')
      const text = (ctx.state.held ?? '') + (delta.content ?? '')
      if (choice.finish_reason != null) {
        ctx.state.held = ''
        delta.content = redact(text)
        return chunk
      }
      const cut = Math.max(text.lastIndexOf(' '), text.lastIndexOf('\n')) + 1
      ctx.state.held = text.slice(cut)
      delta.content = redact(text.slice(0, cut))
      return chunk
    },
  }
}
