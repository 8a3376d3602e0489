/** The provider contract lives in core/provider.ts (stages/ wraps clients and may not import providers/); re-exported for providers/, translate/, compile/. */
export type { AttemptResult, AttemptSink, ProviderClient, ProviderType, UpstreamCall } from '../core/provider.js'
