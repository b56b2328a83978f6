/** The value, updated at most once per `ms` (the last change always lands), for costly refetches. */
import { useEffect, useRef, useState } from 'react'

export function useThrottled<T>(value: T, ms: number): T {
  const [current, setCurrent] = useState(value)
  const last = useRef(0)
  useEffect(() => {
    const wait = Math.max(0, last.current + ms - Date.now())
    const timer = setTimeout(() => {
      last.current = Date.now()
      setCurrent(value)
    }, wait)
    return () => clearTimeout(timer)
  }, [value, ms])
  return current
}
