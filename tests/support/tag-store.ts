import type { Db } from '../../src/main/db/database'
import { addPhoto } from '../../src/main/photo-library'

/** A model row, as the tag store's tests need one (no file, no card). */
export function addModel(db: Db, id: string): void {
  db.prepare(
    `INSERT INTO models (id, name, file, sha256, card, builtin, added_at) VALUES (?, ?, ?, ?, '{}', 0, 'then')`,
  ).run(id, id, `${id}.onnx`, id.padEnd(64, '0').slice(0, 64))
}

/** Photo number `n`: a 32×32 JPEG at /photos/0000n.jpg with its own content hash. */
export function addNumberedPhoto(db: Db, n: number, now: () => Date): number {
  return addPhoto(
    db,
    {
      path: `/photos/${String(n).padStart(5, '0')}.jpg`,
      size: 1000 + n,
      mtimeMs: 1_700_000_000_000 + n,
      sha256: n.toString(16).padStart(64, '0'),
      width: 32,
      height: 32,
      takenAt: null,
    },
    now,
  ).id
}
