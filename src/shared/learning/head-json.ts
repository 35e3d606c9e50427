import { z } from 'zod'
import { decodeFloat32, encodeFloat32 } from '../knowledge/profile'
import type { LearnedHead } from './learned-head'

/** A learned head as stored (the `learned_tags.head` column): float arrays as little-endian float32, base64. */
const HeadJsonSchema = z.object({
  /** The embedding version the head was fitted on: another version's embeddings are not its input. */
  embeddingVersion: z.number().int().positive(),
  tags: z.array(z.string().min(1)).min(1),
  dims: z.number().int().positive(),
  weights: z.string(),
  bias: z.string(),
  thresholds: z.array(z.number().min(0).max(1)),
})

export interface StoredHead {
  embeddingVersion: number
  head: LearnedHead
}

export function headToJson({ embeddingVersion, head }: StoredHead): string {
  return JSON.stringify({
    embeddingVersion,
    tags: head.tags,
    dims: head.dims,
    weights: encodeFloat32(head.weights),
    bias: encodeFloat32(head.bias),
    thresholds: head.thresholds,
  })
}

/** Throws when the text is not a head this app wrote. */
export function headFromJson(text: string): StoredHead {
  const json = HeadJsonSchema.parse(JSON.parse(text))
  const weights = decodeFloat32(json.weights)
  const bias = decodeFloat32(json.bias)
  const n = json.tags.length
  if (!weights || weights.length !== n * json.dims || !bias || bias.length !== n || json.thresholds.length !== n) {
    throw new Error('The learned head is damaged (its arrays do not match its tags and dimensions).')
  }
  return {
    embeddingVersion: json.embeddingVersion,
    head: { tags: json.tags, dims: json.dims, weights, bias, thresholds: json.thresholds },
  }
}
