/**
 * The part of @n8n/localtunnel's Tunnel class (lib/Tunnel.js, pinned 3.0.0) that
 * localtunnel-client.ts relies on. `_init` is replaced per instance: see that file for why.
 */
declare module '@n8n/localtunnel/lib/Tunnel' {
  import { EventEmitter } from 'node:events'

  interface TunnelOptions {
    port: number
    host: string
    subdomain?: string
    local_host?: string
  }

  class Tunnel extends EventEmitter {
    constructor(options: TunnelOptions)
    url?: string
    clientId?: string
    closed: boolean
    _init(callback: (error: Error | null, info?: unknown) => void): void
    _getInfo(body: unknown): unknown
    open(callback: (error?: Error) => void): void
    close(): void
  }

  export = Tunnel
}
