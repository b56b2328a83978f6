/**
 * Who may talk to the emulator, decided from the request head alone.
 *
 * DNS rebinding: a web page on evil.example can make its own name resolve to 127.0.0.1, and the
 * browser then lets the page read and write the emulator as if it were evil.example. The page cannot
 * change the `Host` header the browser sends (evil.example:PORT), so every request whose Host is not
 * one of the emulator's own names is refused. The SDK reaches the emulator through the transport
 * seam and sends `Host: sandbox.api.starkbank.com`, so that name is allowed too. A browser also sends
 * `Origin` on cross-origin and non-GET requests; a present Origin must name an allowed host, which
 * stops pages on other local ports and sandboxed frames (`Origin: null`) from sending simple POSTs.
 * Servers and CLIs (the SDK, Node's fetch) send no Origin. Pattern after LosslessCut's
 * httpServerUtil.ts (shared/style.md item 24).
 */

/** The host the SDK always names: it is hard-coded in starkcore and reaches us through the agent. */
export const SDK_HOST = 'sandbox.api.starkbank.com'

const LOOPBACK_BINDS = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '::', ''])

/** `host:port` as it appears in a Host header (IPv6 literals in brackets). */
export function hostWithPort(host: string, port: number): string {
  const name = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return `${name}:${port}`.toLowerCase()
}

/**
 * The emulator's own names for a server bound to `bindHost`:`port`: the loopback names, the bind
 * address itself when it is something else, and the SDK's sandbox host.
 */
export function ownHosts(bindHost: string, port: number): string[] {
  const hosts = ['127.0.0.1', 'localhost', '::1'].map((h) => hostWithPort(h, port))
  if (!LOOPBACK_BINDS.has(bindHost)) hosts.push(hostWithPort(bindHost, port))
  hosts.push(SDK_HOST)
  return hosts
}

export type Verdict =
  { ok: true } | { ok: false; code: 'invalidHost' | 'invalidOrigin'; message: string }

export class HostAllowList {
  private readonly hosts = new Set<string>()

  constructor(
    hosts: Iterable<string>,
    /** The address to name in refusals, e.g. http://127.0.0.1:PORT. */
    private readonly ownUrl: () => string
  ) {
    for (const host of hosts) this.add(host)
  }

  /** Allows one more exact `host[:port]` (a TLS front added later, a name in /etc/hosts). */
  add(host: string): void {
    this.hosts.add(host.trim().toLowerCase())
  }

  list(): string[] {
    return [...this.hosts]
  }

  /** Checks `Host` (required) and `Origin` (when present) against the allowed names. */
  check(host: string | undefined, origin: string | undefined): Verdict {
    const named = host?.trim().toLowerCase() ?? ''
    if (!this.hosts.has(named)) {
      return {
        ok: false,
        code: 'invalidHost',
        message:
          `Host "${clip(host ?? '')}" is not a name of this emulator. Call it as ${this.ownUrl()} ` +
          '(or through the SDK). Other names are refused so that web pages cannot reach it by DNS rebinding.'
      }
    }
    if (origin !== undefined && !this.allowsOrigin(origin)) {
      return {
        ok: false,
        code: 'invalidOrigin',
        message:
          `Origin "${clip(origin)}" may not call this emulator. Browsers and web pages are refused; ` +
          `call it from a program (the SDK, curl) as ${this.ownUrl()}.`
      }
    }
    return { ok: true }
  }

  private allowsOrigin(origin: string): boolean {
    let url: URL
    try {
      url = new URL(origin)
    } catch {
      return false // "null" and other opaque origins
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false
    return this.hosts.has(url.host.toLowerCase())
  }
}

const clip = (text: string): string => (text.length > 100 ? `${text.slice(0, 100)}…` : text)
