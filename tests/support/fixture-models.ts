import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { sharedPath } from './shared'

/**
 * An architecture fixture from ../shared/models/architectures, unzipped once per machine into the
 * temp folder (the importer takes plain .onnx files, as a person's would be).
 */
export function unzippedFixture(name: string): string {
  const dir = join(tmpdir(), 'resnet-lens-fixtures')
  const target = join(dir, name)
  if (!existsSync(target)) {
    mkdirSync(dir, { recursive: true })
    const temp = `${target}.${process.pid}.tmp`
    writeFileSync(temp, gunzipSync(readFileSync(sharedPath('models', 'architectures', `${name}.gz`))))
    renameSync(temp, target) // atomic: parallel test files never see half a file
  }
  return target
}
