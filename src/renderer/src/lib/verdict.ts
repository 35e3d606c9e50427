import type { KnowledgeStatus } from '../../../shared/knowledge/resolve'

/** "Not one of the 10 things ResNet-56 (CIFAR-10) knows": what an unknown photo's card says. */
export function unknownSentence(modelName: string, classes: number): string {
  const things = classes === 1 ? 'the one thing' : `one of the ${classes.toLocaleString('en-US')} things`
  return `Not ${things} ${modelName} knows`
}

/** "closest: automobile": the class an unknown photo is nearest to, a hint and never a tag. */
export function closestHint(label: string): string {
  return `closest: ${label}`
}

/**
 * How the engine tells what the model does not know, for the model line: "knows 10 classes · profile", or "no
 * profile: unknown from logits" (a profile there was but could not be used: "profile not used: …"; its note says why).
 */
export function knowledgeLine(classes: number, status: KnowledgeStatus): string {
  if (status.source === 'profile') return `knows ${classes.toLocaleString('en-US')} classes · profile`
  return status.note === undefined || status.note === 'no profile'
    ? 'no profile: unknown from logits'
    : 'profile not used: unknown from logits'
}
