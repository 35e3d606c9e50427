/** What the app's protocol serves for a library model: the model, its tapped copy, its classifier weights. */
export type ModelArtifact = 'model' | 'tapped' | 'head'

/** URL path (on the app's own origin) of a library model's file or one of its derived files. */
export function artifactUrlPath(id: string, artifact: ModelArtifact = 'model'): string {
  const suffix = { model: '.onnx', tapped: '.tapped.onnx', head: '.head.bin' }[artifact]
  return `/library/models/${encodeURIComponent(id)}${suffix}`
}

/** URL path of a library photo's thumbnail (long side `size` px) or of the photo itself. */
export function photoUrlPath(id: number, kind: 'thumb' | 'original', size = 256): string {
  return kind === 'thumb' ? `/library/photos/${id}/thumb-${size}.jpg` : `/library/photos/${id}/original`
}
