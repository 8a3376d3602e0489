/** Header names the gateway reads or writes (SPEC §4 "Response headers"), lower-case, defined once. */

// Request side
export const HEADER_CONTENT_LENGTH = 'content-length'
export const HEADER_CONNECTION = 'connection'
export const HEADER_FORWARDED_FOR = 'x-forwarded-for'
export const HEADER_AUTHORIZATION = 'authorization'
export const HEADER_API_KEY = 'x-api-key'
export const HEADER_TRACEPARENT = 'traceparent'
export const HEADER_TRACESTATE = 'tracestate'
export const HEADER_WS_KEY = 'sec-websocket-key'
export const HEADER_WS_PROTOCOL = 'sec-websocket-protocol'
export const HEADER_WS_EXTENSIONS = 'sec-websocket-extensions'

// Both directions: echoed when the client sent one, generated otherwise
export const HEADER_REQUEST_ID = 'x-request-id'

// Response side
export const HEADER_CONTENT_TYPE = 'content-type'
export const HEADER_CACHE_CONTROL = 'cache-control'
export const HEADER_RETRY_AFTER = 'retry-after'
export const HEADER_LLMGW_PROVIDER = 'x-llmgw-provider'
export const HEADER_LLMGW_MODEL = 'x-llmgw-model'
export const HEADER_LLMGW_ATTEMPTS = 'x-llmgw-attempts'
export const HEADER_LLMGW_CACHE = 'x-llmgw-cache'
export const HEADER_LLMGW_VARIANT = 'x-llmgw-variant'
export const HEADER_RATELIMIT_LIMIT_REQUESTS = 'x-ratelimit-limit-requests'
export const HEADER_RATELIMIT_REMAINING_REQUESTS = 'x-ratelimit-remaining-requests'
export const HEADER_RATELIMIT_RESET_REQUESTS = 'x-ratelimit-reset-requests'
export const HEADER_RATELIMIT_LIMIT_TOKENS = 'x-ratelimit-limit-tokens'
export const HEADER_RATELIMIT_REMAINING_TOKENS = 'x-ratelimit-remaining-tokens'
export const HEADER_RATELIMIT_RESET_TOKENS = 'x-ratelimit-reset-tokens'

// Content types written as-is
export const CONTENT_TYPE_JSON = 'application/json'
export const CONTENT_TYPE_SSE = 'text/event-stream'
export const CONTENT_TYPE_TEXT = 'text/plain; charset=utf-8'

/** The longest client x-request-id we echo; longer ones are replaced by our own (they land in logs). */
export const MAX_REQUEST_ID_LENGTH = 128
