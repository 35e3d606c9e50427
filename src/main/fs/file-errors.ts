/** Turns an error from reading or decoding a file into a short message for a person. */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  const message = error instanceof Error ? error.message : String(error)
  const firstLine = message.split('\n')[0]!.trim()
  if (code === 'ENOENT' || /^Input file is missing/.test(message)) return 'file not found'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EISDIR') return 'is a folder'
  if (/unsupported image format/i.test(message)) return 'not an image or unsupported format'
  if (/pixel limit/i.test(message)) return 'image too large to decode'
  if (/premature end|truncated|corrupt|invalid|bad|vips/i.test(message)) {
    return `damaged or truncated image (${firstLine})`
  }
  return `could not read the image (${firstLine})`
}
