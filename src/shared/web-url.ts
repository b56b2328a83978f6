/** Whether `value` parses as an http(s) URL: the one check the forms and the schemas share. */
export const isWebUrl = (value: string): boolean => {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}
