/** Visit the user-visible text of a canonical (OpenAI-shaped) request body: chat messages, prompts, embedding inputs. */
import type { Endpoint } from '../core/types.js'
import { isObject } from './openai.js'

/** Return a replacement for the text, or undefined to keep it. */
export type TextVisitor = (text: string) => string | undefined


/** Walks every text field in place (content strings and `{type:'text', text}` parts); token-id inputs are skipped. */
export function visitRequestText(endpoint: Endpoint, body: Record<string, unknown>, visit: TextVisitor): void {
  // chat, messages, responses, count_tokens: the canonical chat body (wire/request.ts translated the others)
  if (endpoint !== 'completions' && endpoint !== 'embeddings') {
    const messages = body.messages
    if (!Array.isArray(messages)) return
    for (const m of messages) if (isObject(m)) visitContent(m, visit)
    return
  }
  const field = endpoint === 'completions' ? 'prompt' : 'input'
  const v = body[field]
  if (typeof v === 'string') {
    const r = visit(v)
    if (r !== undefined) body[field] = r
  } else if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      if (typeof v[i] !== 'string') continue
      const r = visit(v[i] as string)
      if (r !== undefined) v[i] = r
    }
  }
}

function visitContent(m: Record<string, unknown>, visit: TextVisitor): void {
  const c = m.content
  if (typeof c === 'string') {
    const r = visit(c)
    if (r !== undefined) m.content = r
    return
  }
  if (!Array.isArray(c)) return
  for (const part of c) {
    if (!isObject(part) || part.type !== 'text' || typeof part.text !== 'string') continue
    const r = visit(part.text)
    if (r !== undefined) part.text = r
  }
}

/** The text of one chat message (string content, or its text parts joined), for token counting. */
export function messageText(m: unknown): string {
  if (!isObject(m)) return ''
  const c = m.content
  if (typeof c === 'string') return c
  if (!Array.isArray(c)) return ''
  let s = ''
  for (const part of c) if (isObject(part) && typeof part.text === 'string') s += part.text
  return s
}
