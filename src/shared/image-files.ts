/**
 * The image types the app looks for in folders, in one list for every folder walk: the photo library's scan,
 * the command line's and the window's (a dropped folder).
 */

/** What sharp decodes: a folder scan in the main process or the command line picks up these. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.bmp',
  '.tif',
  '.tiff',
  '.avif',
])

/** What the window's own decoder (Chromium) reads as well: a folder dropped on the window takes these too. */
export const BROWSER_IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([
  ...IMAGE_EXTENSIONS,
  '.jpe',
  '.jfif',
  '.ico',
  '.svg',
])
