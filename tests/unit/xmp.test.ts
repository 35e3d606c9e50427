import { execFileSync } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DOMParser, XMLSerializer } from '@xmldom/xmldom'
import type { Element } from '@xmldom/xmldom'
import { afterAll, describe, expect, it } from 'vitest'
import { mergeXmpKeywords, parseXmp, readXmpKeywords } from '../../src/main/photos/xmp-packet'
import { readSidecarKeywords, sidecarCandidates, writeSidecarKeywords, XmpFormatError } from '../../src/main/photos/xmp'
import { sharedPath } from '../support/shared'

const work = mkdtempSync(join(tmpdir(), 'xmp-test-'))
afterAll(() => rmSync(work, { recursive: true, force: true }))

let photos = 0
/** A copy of a real JPEG in a folder of its own; its sidecar is `<path>.xmp`. */
function newPhoto(name = 'IMG_1.jpg'): string {
  const folder = join(work, `p${photos++}`)
  mkdirSync(folder, { recursive: true })
  const path = join(folder, name)
  copyFileSync(sharedPath('photos', 'rocket.jpg'), path)
  return path
}

const EXIFTOOL_MISSING =
  'exiftool is not installed: the XMP interoperability tests need it. Install it with ' +
  '`apt-get install -y libimage-exiftool-perl` (CI installs it).'

function exiftool(...args: string[]): string {
  try {
    return execFileSync('exiftool', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(EXIFTOOL_MISSING)
    throw error
  }
}

/** exiftool's JSON for one file (`-j`), without SourceFile. */
function exiftoolJson(file: string, ...tags: string[]): Record<string, unknown> {
  const [record] = JSON.parse(exiftool('-j', ...tags, file)) as Record<string, unknown>[]
  const rest = { ...record! }
  delete rest.SourceFile
  return rest
}

/** exiftool gives one value as a scalar and numbers as numbers; make a list of strings. */
const list = (value: unknown): string[] =>
  value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => String(v))

function exiftoolKeywords(file: string): { subject: string[]; hierarchy: string[]; rating: unknown } {
  const json = exiftoolJson(file, '-XMP-dc:Subject', '-XMP-lr:HierarchicalSubject', '-XMP-xmp:Rating')
  return { subject: list(json.Subject), hierarchy: list(json.HierarchicalSubject), rating: json.Rating }
}

const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#'
const MANAGED = new Set([
  'http://purl.org/dc/elements/1.1/ subject',
  'http://ns.adobe.com/lightroom/1.0/ hierarchicalSubject',
  // The app's list of the hierarchy paths it wrote (keywords with a path: cat, dog).
  'urn:resnet-lens:xmp:1.0/ hierarchicalSubject',
])

/**
 * Everything in a packet except the keyword properties the app manages, each element and attribute
 * serialized on its own: what must survive a merge unchanged.
 */
function unmanagedContent(xml: string): string[] {
  const doc = new DOMParser().parseFromString(xml.replace(/^\uFEFF/, ''), 'text/xml')
  const serializer = new XMLSerializer()
  const out: string[] = []
  const descriptions = doc.getElementsByTagNameNS(RDF, 'Description')
  for (let i = 0; i < descriptions.length; i++) {
    const d = descriptions.item(i)!
    for (let a = 0; a < d.attributes.length; a++) {
      const attr = d.attributes.item(a)!
      if (attr.prefix !== 'xmlns') out.push(`@{${attr.namespaceURI}}${attr.localName}=${attr.value}`)
    }
    for (let child = d.firstChild; child !== null; child = child.nextSibling) {
      if (child.nodeType !== 1) continue
      const e = child as Element
      if (!MANAGED.has(`${e.namespaceURI} ${e.localName}`)) out.push(serializer.serializeToString(e))
    }
  }
  return out.sort()
}

/** A darktable 4.x sidecar (history stack, attributes-form properties) with a third-party namespace added. */
const DARKTABLE_SIDECAR = `<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:exif="http://ns.adobe.com/exif/1.0/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmlns:darktable="http://darktable.sf.net/"
    xmlns:acme="urn:example:acme/1.0/"
   exif:DateTimeOriginal="2023:05:01 10:00:00"
   xmp:Rating="3"
   xmpMM:DerivedFrom="IMG_1.jpg"
   darktable:import_timestamp="63818000000000000"
   darktable:xmp_version="5"
   darktable:history_end="1">
   <dc:subject>
    <rdf:Bag>
     <rdf:li>holiday</rdf:li>
     <rdf:li>beach</rdf:li>
    </rdf:Bag>
   </dc:subject>
   <lr:hierarchicalSubject>
    <rdf:Bag>
     <rdf:li>places|beach</rdf:li>
     <rdf:li>darktable|format|jpg</rdf:li>
    </rdf:Bag>
   </lr:hierarchicalSubject>
   <darktable:masks_history>
    <rdf:Seq/>
   </darktable:masks_history>
   <darktable:history>
    <rdf:Seq>
     <rdf:li
      darktable:num="0"
      darktable:operation="colorin"
      darktable:enabled="1"
      darktable:modversion="7"
      darktable:params="gz48eJzjZhgFowABWAYaAAAlBAAB"
      darktable:multi_name=""
      darktable:multi_priority="0"/>
    </rdf:Seq>
   </darktable:history>
   <acme:Review rdf:parseType="Resource">
    <acme:By>Zoë &amp; Ola</acme:By>
    <acme:Notes><rdf:Alt><rdf:li xml:lang="x-default">kept &lt;3</rdf:li></rdf:Alt></acme:Notes>
   </acme:Review>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
`
const ACME_BLOCK = DARKTABLE_SIDECAR.slice(
  DARKTABLE_SIDECAR.indexOf('<acme:Review'),
  DARKTABLE_SIDECAR.indexOf('</acme:Review>') + '</acme:Review>'.length,
)

describe('XMP sidecars: the app on its own', () => {
  it('writes IMG_1.jpg.xmp as an XMP packet and reads the keywords back', async () => {
    const photo = newPhoto()
    const result = await writeSidecarKeywords(photo, ['cat', 'tabby cat', 'cat', '  '])
    expect(result).toEqual({
      path: `${photo}.xmp`,
      written: true,
      subject: ['cat', 'tabby cat'],
      // `cat` has a path in the shipped hierarchies; `tabby cat` (ImageNet says `tabby`) has none.
      hierarchicalSubject: ['animal|cat', 'ResNet Lens|tabby cat'],
    })
    const text = readFileSync(`${photo}.xmp`, 'utf8')
    expect(text).toMatch(
      /^<\?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"\?>\n<x:xmpmeta xmlns:x="adobe:ns:meta\/"/,
    )
    expect(text).toContain('<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">')
    expect(text).toContain('<rdf:Description rdf:about=""')
    expect(text.trimEnd()).toMatch(/<\?xpacket end="w"\?>$/)

    expect(await readSidecarKeywords(photo)).toEqual({
      paths: [`${photo}.xmp`],
      subject: ['cat', 'tabby cat'],
      hierarchicalSubject: ['animal|cat', 'ResNet Lens|tabby cat'],
      keywords: ['cat', 'tabby cat'],
      appKeywords: ['cat', 'tabby cat'],
    })
    expect(await readSidecarKeywords(newPhoto())).toBeNull()
  })

  it("replaces the app's own keywords, keeps the person's, and leaves an unchanged file alone", async () => {
    const photo = newPhoto()
    await writeSidecarKeywords(photo, ['cat', 'dog'])
    const second = await writeSidecarKeywords(photo, ['dog', 'fox'])
    expect(second.subject).toEqual(['dog', 'fox'])
    expect(second.hierarchicalSubject).toEqual(['animal|dog', 'ResNet Lens|fox'])

    const before = statSync(`${photo}.xmp`)
    await new Promise((r) => setTimeout(r, 20))
    expect((await writeSidecarKeywords(photo, ['fox', 'dog'])).written).toBe(false)
    expect(statSync(`${photo}.xmp`).mtimeMs).toBe(before.mtimeMs)

    expect((await writeSidecarKeywords(photo, [])).subject).toEqual([])
    expect(readFileSync(`${photo}.xmp`, 'utf8')).not.toContain('dc:subject')

    const untouched = newPhoto()
    expect(await writeSidecarKeywords(untouched, [])).toMatchObject({ written: false, subject: [] })
    expect(existsSync(`${untouched}.xmp`)).toBe(false)
  })

  it('keeps unicode and XML-special keywords intact, normalized to NFC', async () => {
    const photo = newPhoto('Fotó 1.jpg')
    const keywords = ['chat noir', 'Straße', '猫', 'кот', '🐈‍⬛', 'R&D <test> "q" \'a\'', 'cafe\u0301']
    const result = await writeSidecarKeywords(photo, keywords)
    const expected = [...keywords.slice(0, 6), 'caf\u00e9']
    expect(result.subject).toEqual(expected)
    const read = await readSidecarKeywords(photo)
    expect(read?.subject).toEqual(expected)
    expect(read?.appKeywords).toEqual(expected)
  })

  it('writes no sidecar for a photo that is not there', async () => {
    const missing = join(work, 'nowhere', 'IMG_9.jpg')
    await expect(writeSidecarKeywords(missing, ['cat'])).rejects.toThrow(`the photo ${missing} is not a file`)
    expect(existsSync(`${missing}.xmp`)).toBe(false)
  })

  it('refuses a keyword with the hierarchy separator', async () => {
    const photo = newPhoto()
    await expect(writeSidecarKeywords(photo, ['a|b'])).rejects.toThrow(RangeError)
    expect(existsSync(`${photo}.xmp`)).toBe(false)
  })

  it('merges into a darktable sidecar: history, rating, other namespaces and the person’s keywords survive', async () => {
    const photo = newPhoto()
    writeFileSync(`${photo}.xmp`, DARKTABLE_SIDECAR)
    const read = await readSidecarKeywords(photo)
    expect(read?.keywords).toEqual(['holiday', 'beach', 'jpg'])
    expect(read?.appKeywords).toEqual([])

    // `beach` is the person's already: the app adds nothing for it and will never remove it.
    const result = await writeSidecarKeywords(photo, ['cat', 'beach'])
    expect(result.subject).toEqual(['holiday', 'beach', 'cat'])
    expect(result.hierarchicalSubject).toEqual(['places|beach', 'darktable|format|jpg', 'animal|cat'])
    const merged = readFileSync(`${photo}.xmp`, 'utf8')
    expect(merged.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<x:xmpmeta')).toBe(true)
    expect(unmanagedContent(merged)).toEqual(unmanagedContent(DARKTABLE_SIDECAR))
    expect(merged).toContain(ACME_BLOCK) // written in canonical form, so byte for byte

    const cleared = await writeSidecarKeywords(photo, [])
    expect(cleared.subject).toEqual(['holiday', 'beach'])
    expect(cleared.hierarchicalSubject).toEqual(['places|beach', 'darktable|format|jpg'])
    expect(unmanagedContent(readFileSync(`${photo}.xmp`, 'utf8'))).toEqual(unmanagedContent(DARKTABLE_SIDECAR))
  })

  it("keeps a keyword the app no longer wants while the person's hierarchy still names it", () => {
    const first = mergeXmpKeywords(null, ['cat'])
    // The person later files `cat` under their own tree too (as digiKam would).
    const edited = first.xml.replace(
      '<rdf:li>ResNet Lens|cat</rdf:li>',
      '<rdf:li>ResNet Lens|cat</rdf:li>\n     <rdf:li>Animals|cat</rdf:li>',
    )
    const result = mergeXmpKeywords(edited, [])
    expect(result.subject).toEqual(['cat'])
    expect(result.hierarchicalSubject).toEqual(['Animals|cat'])
  })

  it('reads Lightroom-style IMG_1.xmp too, and both names together', async () => {
    const photo = newPhoto('IMG_7.jpg')
    const lightroom = join(photo, '..', 'IMG_7.xmp')
    writeFileSync(lightroom, mergeXmpKeywords(null, ['lightroom kw'], 'Lightroom').xml)
    expect(sidecarCandidates(photo)).toEqual([
      `${photo}.xmp`,
      `${photo}.XMP`,
      lightroom,
      lightroom.replace(/xmp$/, 'XMP'),
    ])
    expect((await readSidecarKeywords(photo))?.keywords).toEqual(['lightroom kw'])

    await writeSidecarKeywords(photo, ['cat']) // writes IMG_7.jpg.xmp, leaves Lightroom's file alone
    const both = await readSidecarKeywords(photo)
    expect(both?.paths).toEqual([`${photo}.xmp`, lightroom])
    expect(both?.keywords).toEqual(['cat', 'lightroom kw'])
    expect(both?.appKeywords).toEqual(['cat'])
  })

  it('supports another hierarchy root', async () => {
    const photo = newPhoto()
    // The root is the branch of keywords without a path; `cat` has one, whatever the root.
    const result = await writeSidecarKeywords(photo, ['cat', 'sunset'], { hierarchyRoot: 'Auto | ResNet' })
    expect(result.hierarchicalSubject).toEqual(['animal|cat', 'Auto|ResNet|sunset'])
    expect((await readSidecarKeywords(photo, { hierarchyRoot: 'Auto|ResNet' }))?.appKeywords).toEqual(['cat', 'sunset'])
    expect((await readSidecarKeywords(photo))?.appKeywords).toEqual(['cat'])
  })

  it('queues concurrent writes to one sidecar', async () => {
    const photo = newPhoto()
    await Promise.all([
      writeSidecarKeywords(photo, ['a']),
      writeSidecarKeywords(photo, ['b']),
      writeSidecarKeywords(photo, ['c']),
    ])
    expect((await readSidecarKeywords(photo))?.subject).toEqual(['c'])
    expect(readdirSync(join(photo, '..')).sort()).toEqual(['IMG_1.jpg', 'IMG_1.jpg.xmp'])
  })
})

describe('XMP sidecars: failures leave the old sidecar intact', () => {
  it('when the temporary file cannot be created', async () => {
    const photo = newPhoto()
    await writeSidecarKeywords(photo, ['cat'])
    const old = readFileSync(`${photo}.xmp`)
    const temp = join(work, 'no-such-folder', 'sidecar.tmp')
    await expect(writeSidecarKeywords(photo, ['dog'], { tempPathFor: () => temp })).rejects.toThrow(
      `XMP sidecar ${photo}.xmp: ENOENT`,
    )
    expect(readFileSync(`${photo}.xmp`)).toEqual(old)
  })

  it('when the disk fills up halfway through the temporary file', async () => {
    const photo = newPhoto()
    writeFileSync(`${photo}.xmp`, DARKTABLE_SIDECAR)
    const diskFull = async (path: string, data: string): Promise<void> => {
      await writeFile(path, data.slice(0, data.length / 2))
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
    }
    await expect(writeSidecarKeywords(photo, ['dog'], { writeFile: diskFull })).rejects.toThrow(/disk full/)
    expect(readFileSync(`${photo}.xmp`, 'utf8')).toBe(DARKTABLE_SIDECAR)
    expect(readdirSync(join(photo, '..')).sort()).toEqual(['IMG_1.jpg', 'IMG_1.jpg.xmp']) // temp removed
  })

  it('when the existing sidecar is not XMP: refused, not overwritten', async () => {
    const photo = newPhoto()
    writeFileSync(`${photo}.xmp`, 'not xml <at all')
    await expect(writeSidecarKeywords(photo, ['cat'])).rejects.toThrow(`XMP sidecar ${photo}.xmp: not a readable XMP`)
    await expect(readSidecarKeywords(photo)).rejects.toThrow(`XMP sidecar ${photo}.xmp: not a readable XMP`)
    expect(readFileSync(`${photo}.xmp`, 'utf8')).toBe('not xml <at all')
    writeFileSync(`${photo}.xmp`, '<?xml version="1.0"?><html/>')
    await expect(writeSidecarKeywords(photo, ['cat'])).rejects.toThrow(/no rdf:RDF element/)
    expect(() => parseXmp('<a>')).toThrow(XmpFormatError)
  })

  it('an empty sidecar (a crashed writer) holds nothing and is replaced', async () => {
    const photo = newPhoto()
    writeFileSync(`${photo}.xmp`, '')
    expect(await readSidecarKeywords(photo)).toBeNull()
    expect((await writeSidecarKeywords(photo, ['cat'])).written).toBe(true)
    expect((await readSidecarKeywords(photo))?.subject).toEqual(['cat'])
  })
})

describe('XMP sidecars with exiftool', () => {
  it('exiftool reads what the app wrote', async () => {
    const photo = newPhoto()
    const keywords = ['cat', 'Straße', '猫', 'R&D <test>', '2024']
    await writeSidecarKeywords(photo, keywords)
    expect(exiftoolKeywords(`${photo}.xmp`)).toEqual({
      subject: keywords,
      hierarchy: keywords.map((k) => (k === 'cat' ? 'animal|cat' : `ResNet Lens|${k}`)),
      rating: undefined,
    })
  })

  it('the app reads and merges into an exiftool sidecar; exiftool still sees the rating and every keyword', async () => {
    const photo = newPhoto()
    exiftool('-q', '-o', `${photo}.xmp`, '-XMP-dc:Subject=foo', '-XMP-dc:Subject=bär', '-XMP-xmp:Rating=4', photo)
    const original = readFileSync(`${photo}.xmp`, 'utf8')
    expect((await readSidecarKeywords(photo))?.keywords).toEqual(['foo', 'bär'])

    await writeSidecarKeywords(photo, ['cat', 'dog'])
    expect(exiftoolKeywords(`${photo}.xmp`)).toEqual({
      subject: ['foo', 'bär', 'cat', 'dog'],
      hierarchy: ['animal|cat', 'animal|dog'],
      rating: 4,
    })
    expect(unmanagedContent(readFileSync(`${photo}.xmp`, 'utf8'))).toEqual(unmanagedContent(original))

    // The person edits with exiftool; the app's next write keeps their changes.
    exiftool('-q', '-overwrite_original', '-XMP-dc:Subject+=manual', '-XMP-xmp:Rating=5', `${photo}.xmp`)
    expect((await readSidecarKeywords(photo))?.appKeywords).toEqual(['cat', 'dog'])
    await writeSidecarKeywords(photo, ['dog', 'fox'])
    expect(exiftoolKeywords(`${photo}.xmp`)).toEqual({
      subject: ['foo', 'bär', 'dog', 'manual', 'fox'],
      hierarchy: ['animal|dog', 'ResNet Lens|fox'],
      rating: 5,
    })
  })

  it('a real Adobe packet with unknown namespaces keeps every other property, as exiftool reads them', async () => {
    const photo = newPhoto()
    // The XMP that Photoshop embedded in hubble_deep_field.jpg (AVM astronomy namespace, history, …).
    exiftool('-q', '-o', `${photo}.xmp`, '-tagsfromfile', sharedPath('photos', 'hubble_deep_field.jpg'), '-xmp', photo)
    const before = exiftoolJson(`${photo}.xmp`, '-XMP:all', '-G1', '-struct')
    const original = readFileSync(`${photo}.xmp`, 'utf8')
    expect(Object.keys(before).length).toBeGreaterThan(20)

    await writeSidecarKeywords(photo, ['galaxy', 'space'])
    const after = exiftoolJson(`${photo}.xmp`, '-XMP:all', '-G1', '-struct')
    expect(list(after['XMP-dc:Subject'])).toEqual(['galaxy', 'space'])
    expect(list(after['XMP-lr:HierarchicalSubject'])).toEqual(['ResNet Lens|galaxy', 'ResNet Lens|space'])
    delete after['XMP-dc:Subject']
    delete after['XMP-lr:HierarchicalSubject']
    expect(after).toEqual(before)
    expect(unmanagedContent(readFileSync(`${photo}.xmp`, 'utf8'))).toEqual(unmanagedContent(original))
  })
})

describe('readXmpKeywords', () => {
  it('reads keywords spread over several rdf:Description elements and other prefixes', () => {
    const xml = `<x:xmpmeta xmlns:x="adobe:ns:meta/"><r:RDF xmlns:r="${RDF}">
      <r:Description r:about="" xmlns:d="http://purl.org/dc/elements/1.1/"><d:subject><r:Seq><r:li>one</r:li></r:Seq></d:subject></r:Description>
      <r:Description r:about="" xmlns:L="http://ns.adobe.com/lightroom/1.0/"><L:hierarchicalSubject><r:Bag><r:li>A|two</r:li><r:li>ResNet Lens|one</r:li></r:Bag></L:hierarchicalSubject></r:Description>
    </r:RDF></x:xmpmeta>`
    expect(readXmpKeywords(xml)).toEqual({
      subject: ['one'],
      hierarchicalSubject: ['A|two', 'ResNet Lens|one'],
      keywords: ['one', 'two'],
      appKeywords: ['one'],
    })
    const merged = mergeXmpKeywords(xml, ['three'])
    expect(readXmpKeywords(merged.xml).subject).toEqual(['three'])
    expect(merged.xml).toContain('<r:Bag>') // written with the packet's own prefixes
    expect(merged.xml).not.toContain('xmlns:dc=')
  })
})
