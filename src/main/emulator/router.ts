/** A small method + path router; `:name` segments become params. */
export interface ApiRequest {
  method: string
  path: string
  params: Record<string, string>
  query: URLSearchParams
  /** Parsed JSON body, or undefined for GET/DELETE. */
  body: unknown
  rawBody: string
  /** `project/<id>` of the signed caller; undefined on the control API. */
  accessId?: string
}

export type Handler = (req: ApiRequest) => unknown

interface Route {
  method: string
  parts: string[]
  handler: Handler
}

export class Router {
  private readonly routes: Route[] = []

  add(method: string, pattern: string, handler: Handler): this {
    this.routes.push({ method, parts: pattern.split('/').filter(Boolean), handler })
    return this
  }

  /** Finds a handler; literal segments win over params so `/invoice/log` beats `/invoice/:id`. */
  match(
    method: string,
    path: string
  ): { handler: Handler; params: Record<string, string> } | 'method' | undefined {
    let segments: string[]
    try {
      segments = path.split('/').filter(Boolean).map(decodeURIComponent)
    } catch {
      return undefined // A malformed %-escape names no route.
    }
    let best: { route: Route; params: Record<string, string>; literals: number } | undefined
    let pathMatched = false
    for (const route of this.routes) {
      if (route.parts.length !== segments.length) continue
      const params: Record<string, string> = {}
      let literals = 0
      const ok = route.parts.every((part, i) => {
        const seg = segments[i] as string
        if (part.startsWith(':')) {
          params[part.slice(1)] = seg
          return true
        }
        literals++
        return part === seg
      })
      if (!ok) continue
      pathMatched = true
      if (route.method !== method) continue
      if (!best || literals > best.literals) best = { route, params, literals }
    }
    if (best) return { handler: best.route.handler, params: best.params }
    return pathMatched ? 'method' : undefined
  }
}
