/** Reads a request body off a uWS response with a hard cap (SPEC §3 server.maxBodySize, §4 413 request_too_large). */
import type { HttpResponse } from 'uWebSockets.js'
import { GatewayError } from '../core/errors.js'

const EMPTY = new Uint8Array(0)

/** 413 for a body over the cap; built per refusal (rare) so the message can carry the limit. */
export function createTooLargeError(maxBytes: number): GatewayError {
  return new GatewayError('request_too_large', `request body exceeds the limit of ${maxBytes} bytes`)
}

/**
 * Parses the content-length header value: -1 when absent (chunked or no body), NaN when garbage.
 * Read inside the uWS callback: HttpRequest is dead after it.
 */
export function parseContentLength(value: string): number {
  if (value === '') return -1
  if (value.length > 15) return Number.NaN
  // digits only, by char code (HOT PATH: one call per request; was a regex test)
  let n = 0
  for (let i = 0; i < value.length; i++) {
    const d = value.charCodeAt(i) - 48
    if (d < 0 || d > 9) return Number.NaN
    n = n * 10 + d
  }
  return n
}

/**
 * Streams the body into memory, never holding more than `maxBytes`.
 * - content-length known (and already checked against the cap by the caller): one preallocated Buffer, filled in place.
 * - chunked: chunks are copied (uWS neuters them after the callback) and joined at the end; the running total is
 *   checked before each copy, so the moment a chunk would pass the cap we stop copying and call `tooLarge` once.
 * Exactly one of `done`/`tooLarge` is called, unless the client aborts first (then neither: the caller's onAborted
 * handler owns that case). Data arriving after `tooLarge` is dropped; the caller closes the connection with its 413.
 */
export function readBody(
  res: HttpResponse,
  contentLength: number,
  maxBytes: number,
  done: (body: Uint8Array) => void,
  tooLarge: () => void,
): void {
  if (contentLength === 0) {
    // uWS still delivers one empty last chunk; consume it so nothing dangles, but answer now.
    res.onData(() => {})
    done(EMPTY)
    return
  }
  if (contentLength > 0) readKnownLength(res, contentLength, done)
  else readChunked(res, maxBytes, done, tooLarge)
}

function readKnownLength(res: HttpResponse, length: number, done: (body: Uint8Array) => void): void {
  const buf = Buffer.allocUnsafe(length)
  let at = 0
  res.onData((chunk, isLast) => {
    // uWS frames by content-length, so a chunk never runs past it; the guard keeps a lying parser from overflowing.
    const n = Math.min(chunk.byteLength, length - at)
    if (n > 0) buf.set(new Uint8Array(chunk, 0, n), at)
    at += n
    if (isLast) done(at === length ? buf : buf.subarray(0, at))
  })
}

function readChunked(
  res: HttpResponse,
  maxBytes: number,
  done: (body: Uint8Array) => void,
  tooLarge: () => void,
): void {
  const parts: Buffer[] = []
  let total = 0
  let refused = false
  res.onData((chunk, isLast) => {
    if (refused) return
    const n = chunk.byteLength
    if (total + n > maxBytes) {
      refused = true
      parts.length = 0 // let what we held go at once
      tooLarge()
      return
    }
    if (n > 0) {
      // Copy: the ArrayBuffer is neutered when this callback returns.
      parts.push(Buffer.from(chunk.slice(0)))
      total += n
    }
    if (isLast) done(parts.length === 1 ? parts[0]! : parts.length === 0 ? EMPTY : Buffer.concat(parts, total))
  })
}
