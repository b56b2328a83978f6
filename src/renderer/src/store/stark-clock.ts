/**
 * Stark's time between pushes: the last reading plus the wall time since, times the speed. At
 * 'max' the emulator jumps from timer to timer, so there is nothing to extrapolate and the last
 * reading stands.
 */
import { useEffect, useState } from 'react'
import { useApp } from './context'
import type { ClockReading } from './types'

export function estimateStarkNow(clock: ClockReading, wallNow: number): number {
  if (clock.speed === 'max') return clock.stark
  return clock.stark + Math.max(0, wallNow - clock.wall) * clock.speed
}

/** Wall milliseconds until Stark reaches `starkAt`, at the current speed (null at 'max' or 0). */
export function wallUntil(starkAt: number, starkNow: number, speed: number | 'max'): number | null {
  if (speed === 'max' || speed <= 0) return null
  return Math.max(0, starkAt - starkNow) / speed
}

/** Re-renders the caller every `everyMs` with Stark's estimated time (null before the first reading). */
export function useStarkNow(everyMs = 500): { stark: number; clock: ClockReading } | null {
  const clock = useApp((s) => s.clock)
  const [wall, setWall] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setWall(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  if (!clock) return null
  return { stark: estimateStarkNow(clock, Math.max(wall, clock.wall)), clock }
}
