/** URL credentials in the diff: the shared rule (core/url-secrets.ts) and the diff's note for a changed URL. */
import { redactUrl } from '../../core/url-secrets.js'

export { redactUrl, SECRET_PARAM, urlCredentials, type UrlCredential } from '../../core/url-secrets.js'

/** A diff note for a URL field: `moved` for a new address, another sentence when only its credentials changed. */
export const urlNote = (moved: string) => (x: string | undefined, y: string | undefined): string =>
  x !== undefined && y !== undefined && redactUrl(x) === redactUrl(y) ? 'credentials in the URL changed (same address)' : moved
