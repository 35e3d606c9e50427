/** One photo's embedding as engines report it: the vector (L2-normalised) and the definition it was made with. */
export interface EmbeddingVector {
  version: number
  vector: Float32Array
}
