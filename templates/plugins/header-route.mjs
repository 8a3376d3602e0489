// llmgw plugin "header-route": picks the model by a request header, e.g. `x-llmgw-route: fast`.
// rules:
//   - type: plugin
//     module: ./plugins/header-route.mjs
//     options: { header: x-llmgw-route, routes: { fast: mock-fast, smart: mock-1 } }
// An unknown route value is refused with 400 invalid_request; without the header the client's model is used.
// The caller's key must be allowed the chosen model (else 403 model_not_allowed).

/** @type {import('llmgw/plugin').PluginSetup} */
export default function setup(options = {}) {
  const header = String(options.header ?? 'x-llmgw-route').toLowerCase()
  const routes = options.routes && typeof options.routes === 'object' ? options.routes : {}
  return {
    name: 'header-route',
    headers: [header],
    onRequest(ctx) {
      const value = ctx.headers[header]
      if (value === undefined) return
      const model = routes[value]
      if (typeof model !== 'string') return { code: 'invalid_request', message: `${header}: unknown route '${value}' (routes: ${Object.keys(routes).join(', ')})` }
      return { model }
    },
  }
}
