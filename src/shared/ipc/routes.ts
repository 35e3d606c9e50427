/**
 * What the app's protocol serves for a library model: the model, its tapped copy, its copy that also returns its
 * features (or the model itself where it has none) on the views its card asks for, the same copy on the photo
 * alone, its classifier weights, its knowledge profile and the hierarchy of its labels.
 */
export type ModelArtifact = 'model' | 'tapped' | 'features' | 'photo-features' | 'head' | 'profile' | 'hierarchy'

const ARTIFACT_SUFFIX: Record<ModelArtifact, string> = {
  model: '.onnx',
  tapped: '.tapped.onnx',
  features: '.features.onnx',
  'photo-features': '.photo-features.onnx',
  head: '.head.bin',
  profile: '.profile.json',
  hierarchy: '.hierarchy.json',
}

/** Every artifact's URL suffix, e.g. `.features.onnx`. */
export function artifactSuffixes(): string[] {
  return Object.values(ARTIFACT_SUFFIX)
}

/** The artifact a URL suffix names, e.g. `.features.onnx`; the longest suffix wins. */
export function artifactBySuffix(suffix: string): ModelArtifact | undefined {
  return (Object.keys(ARTIFACT_SUFFIX) as ModelArtifact[]).find((artifact) => ARTIFACT_SUFFIX[artifact] === suffix)
}

/** URL path (on the app's own origin) of a library model's file or one of its derived files. */
export function artifactUrlPath(id: string, artifact: ModelArtifact = 'model'): string {
  return `/library/models/${encodeURIComponent(id)}${ARTIFACT_SUFFIX[artifact]}`
}

/** URL path of a library photo's thumbnail (long side `size` px) or of the photo itself. */
export function photoUrlPath(id: number, kind: 'thumb' | 'original', size = 256): string {
  return kind === 'thumb' ? `/library/photos/${id}/thumb-${size}.jpg` : `/library/photos/${id}/original`
}
