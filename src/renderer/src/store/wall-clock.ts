/** Wall-clock time for countdowns ("next try in 12 s"), re-read every `everyMs` from the store's clock. */
import { useEffect, useState } from 'react'
import { useApp } from './context'

export function useWallNow(everyMs = 1000): number {
  const wallNow = useApp((s) => s.wallNow)
  const [now, setNow] = useState(wallNow)
  useEffect(() => {
    const timer = setInterval(() => setNow(wallNow()), everyMs)
    return () => clearInterval(timer)
  }, [wallNow, everyMs])
  return now
}

/** Whole seconds from `from` to `to`, never negative (a countdown that has run out reads 0). */
export const secondsBetween = (from: number, to: number): number =>
  Math.max(0, Math.round((to - from) / 1000))
