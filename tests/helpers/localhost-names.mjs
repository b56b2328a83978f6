/**
 * Preloaded into CLI child processes (`NODE_OPTIONS=--import <this file>`) by tests that run them
 * against the fake localtunnel service: `<id>.localhost` then resolves to 127.0.0.1, as RFC 6761
 * asks and as systemd-resolved does (this machine's resolver does not). The same patch as
 * `resolveLocalhostNames` in fake-localtunnel.ts, in plain JavaScript because it loads before tsx.
 */
import dns from 'node:dns'
import process from 'node:process'

const original = dns.lookup
dns.lookup = function lookup(hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback
  const all = typeof options === 'object' && options !== null && options.all
  if (typeof hostname === 'string' && hostname.endsWith('.localhost')) {
    process.nextTick(() =>
      all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)
    )
    return
  }
  return original.call(dns, hostname, options, callback)
}
