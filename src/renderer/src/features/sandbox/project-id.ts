/** Digits only, as Stark's console shows it; empty means "not given yet". */
export function projectIdError(value: string): string | undefined {
  const v = value.trim()
  if (v === '' || /^\d{1,64}$/.test(v)) return undefined
  return 'The project id is digits only, as Stark shows it (for example 5656565656565656).'
}
