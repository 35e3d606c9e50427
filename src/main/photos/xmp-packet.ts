import { DOMParser, XMLSerializer } from '@xmldom/xmldom'
import type { Document, Element, Node } from '@xmldom/xmldom'

/**
 * Pure XMP work on strings: parse a packet, read its keywords, merge the app's keywords in.
 * `xmp.ts` adds the files around it. Everything goes through a namespace-aware DOM (xmldom), so a
 * sidecar written with other prefixes, or with properties spread over several rdf:Description
 * elements (as exiftool writes them), reads the same, and whatever this module does not manage is
 * serialized back untouched.
 */

export const XMP_NS = {
  x: 'adobe:ns:meta/',
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  dc: 'http://purl.org/dc/elements/1.1/',
  lr: 'http://ns.adobe.com/lightroom/1.0/',
  /** The app's own namespace: which `lr:hierarchicalSubject` entries outside its root branch it wrote. */
  app: 'urn:resnet-lens:xmp:1.0/',
  xmlns: 'http://www.w3.org/2000/xmlns/',
} as const

/** The prefix the app declares for `XMP_NS.app` when a packet has none bound to it. */
export const APP_PREFIX = 'resnetLens'

/**
 * A keyword's path in the label hierarchy, outermost level first and the keyword last
 * (`["animal", "dog", "Norfolk terrier"]`), or undefined when the keyword has none.
 */
export type KeywordPathOf = (keyword: string) => readonly string[] | undefined

const NO_PATHS: KeywordPathOf = () => undefined

/** Top of the app's branch in `lr:hierarchicalSubject`: an accepted tag `cat` is written as `ResNet Lens|cat`. */
export const DEFAULT_HIERARCHY_ROOT = 'ResNet Lens'

/** Separator of `lr:hierarchicalSubject` levels (Lightroom, darktable, digiKam). */
export const HIERARCHY_SEPARATOR = '|'

/** A sidecar that is not XML, or not XMP: the app refuses to rewrite it. */
export class XmpFormatError extends Error {
  override name = 'XmpFormatError'
}

export interface XmpKeywords {
  /** `dc:subject`, in file order: the flat keywords every tool reads. */
  subject: string[]
  /** `lr:hierarchicalSubject`, in file order: `Parent|Child` paths. */
  hierarchicalSubject: string[]
  /** Every keyword the sidecar names: `dc:subject`, then the leaves of `lr:hierarchicalSubject` it lacks. */
  keywords: string[]
  /**
   * The keywords the app wrote: leaves of its `lr:hierarchicalSubject` entries, which are the
   * `<root>|<keyword>` ones and the hierarchy paths (`animal|dog|Norfolk terrier`) it lists in
   * `resnetLens:hierarchicalSubject`.
   */
  appKeywords: string[]
}

export interface MergeResult {
  /** The packet to write. */
  xml: string
  subject: string[]
  hierarchicalSubject: string[]
  /** False when the keywords were already as asked (the caller can leave the file alone). */
  changed: boolean
}

const NEW_PACKET = `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="${XMP_NS.x}" x:xmptk="ResNet Lens">
 <rdf:RDF xmlns:rdf="${XMP_NS.rdf}">
  <rdf:Description rdf:about="">
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
`

const ELEMENT_NODE = 1
const TEXT_NODE = 3

/** Parses an XMP packet or sidecar. Throws XmpFormatError when it is not well-formed XML with an rdf:RDF element. */
export function parseXmp(text: string): Document {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text
  let doc: Document
  try {
    doc = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new XmpFormatError(message)
      },
    }).parseFromString(source, 'text/xml')
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    throw new XmpFormatError(`not well-formed XML (${message.split('\n')[0]!.trim()})`, { cause: error })
  }
  if (rdfRoot(doc) === undefined) throw new XmpFormatError('no rdf:RDF element: not an XMP packet')
  return doc
}

/** Reads `dc:subject` and `lr:hierarchicalSubject` from an XMP packet. */
export function readXmpKeywords(text: string, hierarchyRoot = DEFAULT_HIERARCHY_ROOT): XmpKeywords {
  const rdf = rdfRoot(parseXmp(text))!
  const subject = arrayItems(findProperties(rdf, XMP_NS.dc, 'subject'))
  const hierarchicalSubject = arrayItems(findProperties(rdf, XMP_NS.lr, 'hierarchicalSubject'))
  const appEntry = appEntries(
    validRoot(hierarchyRoot),
    arrayItems(findProperties(rdf, XMP_NS.app, 'hierarchicalSubject')),
  )
  return {
    subject,
    hierarchicalSubject,
    keywords: uniqueKeywords([...subject, ...hierarchicalSubject.map(leafOf)]),
    appKeywords: uniqueKeywords(hierarchicalSubject.flatMap((h) => appEntry(h) ?? [])),
  }
}

/**
 * Trims, NFC-normalizes and de-duplicates keywords, keeping the first spelling. Throws RangeError for
 * a keyword containing `|`, which `lr:hierarchicalSubject` cannot hold as one level.
 */
export function normalizeKeywords(keywords: readonly string[]): string[] {
  const out: string[] = []
  const seen = new Set<string>()
  for (const raw of keywords) {
    const keyword = raw.normalize('NFC').trim()
    if (keyword === '') continue
    if (keyword.includes(HIERARCHY_SEPARATOR)) {
      throw new RangeError(`Keyword ${JSON.stringify(keyword)} contains "|", the hierarchy separator of XMP keywords.`)
    }
    if (seen.has(keyword)) continue
    seen.add(keyword)
    out.push(keyword)
  }
  return out
}

/**
 * Sets the keywords the app manages in an XMP packet (or in a new one when `existing` is null) and
 * returns the new packet. Rules:
 * - `keywords` is the whole set the app stands behind now (its accepted tags): the app's keywords
 *   are replaced, not added to. A keyword the app wrote before and that is no longer in `keywords`
 *   leaves `dc:subject` and `lr:hierarchicalSubject`.
 * - A keyword with a path in the label hierarchy (`keywordPath`) goes to `lr:hierarchicalSubject`
 *   as that path, `animal|dog|Norfolk terrier`, as Lightroom and digiKam file keywords; one without
 *   goes under the app's branch, `<root>|<keyword>`. `dc:subject` gets the keyword itself (the leaf).
 * - The app knows what it wrote by its branch (`<root>|<keyword>`) and, for paths, by its own list
 *   of the entries it wrote, `resnetLens:hierarchicalSubject` (so the same path filed by the person,
 *   who may well pick it from the tree the app's sidecars made, stays theirs). An entry of the app's
 *   in the old form for a keyword that has a path now is replaced by the path.
 *   Every other entry of both properties is the person's (or another tool's) and is kept as is.
 * - A keyword that is already in `dc:subject` without an app entry is the person's: the app
 *   adds nothing for it and never removes it.
 * - A keyword the app no longer wants stays in `dc:subject` while another, non-app
 *   hierarchical entry still names it (the person filed it under their own tree too).
 * - The root itself is not added to `dc:subject`.
 * - Everything else in the packet (other properties and namespaces, other rdf:Description
 *   elements, darktable's history, the xpacket wrapper) is serialized back unchanged.
 */
export function mergeXmpKeywords(
  existing: string | null,
  keywords: readonly string[],
  hierarchyRoot = DEFAULT_HIERARCHY_ROOT,
  keywordPath: KeywordPathOf = NO_PATHS,
): MergeResult {
  const root = validRoot(hierarchyRoot)
  const wanted = normalizeKeywords(keywords)
  const doc = parseXmp(existing ?? NEW_PACKET)
  const rdf = rdfRoot(doc)!
  const subjectProps = findProperties(rdf, XMP_NS.dc, 'subject')
  const hierarchyProps = findProperties(rdf, XMP_NS.lr, 'hierarchicalSubject')
  const ownProps = findProperties(rdf, XMP_NS.app, 'hierarchicalSubject')
  const oldSubject = arrayItems(subjectProps)
  const oldHierarchy = arrayItems(hierarchyProps)
  const oldOwn = arrayItems(ownProps)

  const prefix = root + HIERARCHY_SEPARATOR
  const appEntry = appEntries(root, oldOwn)
  const wantedKeys = new Set(wanted.map(key))
  const appOld = new Set(oldHierarchy.flatMap((h) => appEntry(h) ?? []).map(key))
  const subjectKeys = new Set(oldSubject.map(key))
  /** The entry the app writes for each keyword now: its path, else `<root>|<keyword>`. */
  const entries = new Map(
    wanted.map((keyword) => {
      const path = validPath(keyword, keywordPath(keyword))
      return [keyword, path ? { entry: path, path: true } : { entry: prefix + keyword, path: false }]
    }),
  )
  const entryKeys = new Set([...entries.values()].map(({ entry }) => key(entry)))

  // lr:hierarchicalSubject: drop the app's entries it no longer wants (or now writes otherwise), then claim what it adds.
  const hierarchy = oldHierarchy.filter((h) => appEntry(h) === undefined || entryKeys.has(key(h)))
  const hierarchyKeys = new Set(hierarchy.map(key))
  const appKept = new Set(hierarchy.filter((h) => appEntry(h) !== undefined).map(key))
  const own = new Set<string>() // the path entries the app stands behind after this merge
  for (const keyword of wanted) {
    const { entry, path } = entries.get(keyword)!
    if (hierarchyKeys.has(key(entry))) {
      if (path && appKept.has(key(entry))) own.add(key(entry)) // already there, the app's: still the app's
      continue
    }
    if (subjectKeys.has(keyword) && !appOld.has(keyword)) continue // the person's own keyword
    hierarchy.push(entry)
    hierarchyKeys.add(key(entry))
    if (path) own.add(key(entry))
  }
  const ownList = hierarchy.filter((h) => own.has(key(h)))

  // dc:subject: drop the app's old keywords unless the person's own tree still names them, then add.
  const isApp = (h: string): boolean => appLeaf(h, prefix) !== undefined || own.has(key(h))
  const personLevels = new Set(hierarchy.filter((h) => !isApp(h)).flatMap((h) => h.split(HIERARCHY_SEPARATOR).map(key)))
  const subject = oldSubject.filter((s) => {
    const k = key(s)
    return !appOld.has(k) || wantedKeys.has(k) || personLevels.has(k)
  })
  const keptKeys = new Set(subject.map(key))
  for (const keyword of wanted) {
    if (!keptKeys.has(keyword)) {
      subject.push(keyword)
      keptKeys.add(keyword)
    }
  }

  const changed =
    existing === null
      ? subject.length > 0 || hierarchy.length > 0
      : !sameList(subject, oldSubject) ||
        !sameList(hierarchy, oldHierarchy) ||
        !sameList(ownList, oldOwn) ||
        subjectProps.length > 1 ||
        hierarchyProps.length > 1 ||
        ownProps.length > 1
  if (changed) {
    setBag(rdf, subjectProps, XMP_NS.dc, 'dc', 'subject', subject)
    setBag(rdf, hierarchyProps, XMP_NS.lr, 'lr', 'hierarchicalSubject', hierarchy)
    setBag(rdf, ownProps, XMP_NS.app, APP_PREFIX, 'hierarchicalSubject', ownList)
  }
  const xml = new XMLSerializer().serializeToString(doc)
  return { xml: xml.endsWith('\n') ? xml : xml + '\n', subject, hierarchicalSubject: hierarchy, changed }
}

function validRoot(root: string): string {
  const parts = root.split(HIERARCHY_SEPARATOR).map((p) => p.normalize('NFC').trim())
  if (parts.some((p) => p === '')) throw new RangeError(`Invalid keyword hierarchy root ${JSON.stringify(root)}.`)
  return parts.join(HIERARCHY_SEPARATOR)
}

/** The leaf when `entry` is exactly `<root>|<leaf>`, else undefined. */
function appLeaf(entry: string, prefix: string): string | undefined {
  const normalized = entry.normalize('NFC').trim()
  if (!normalized.startsWith(prefix)) return undefined
  const leaf = normalized.slice(prefix.length)
  return leaf === '' || leaf.includes(HIERARCHY_SEPARATOR) ? undefined : leaf
}

/**
 * Recognizes the app's `lr:hierarchicalSubject` entries: `<root>|<keyword>`, and the paths listed in
 * `resnetLens:hierarchicalSubject` (`own`). Gives the keyword (the leaf) of an app entry, else undefined.
 */
function appEntries(root: string, own: readonly string[]): (entry: string) => string | undefined {
  const prefix = root + HIERARCHY_SEPARATOR
  const owned = new Set(own.map(key))
  return (entry) => {
    const leaf = appLeaf(entry, prefix)
    if (leaf !== undefined) return leaf
    if (!owned.has(key(entry))) return undefined
    const last = leafOf(key(entry)).trim()
    return last === '' ? undefined : last
  }
}

/**
 * A hierarchy path as an `lr:hierarchicalSubject` entry (`animal|dog|Norfolk terrier`), or undefined when
 * there is none or it is unusable: levels must be non-empty, without `|`, and end with the keyword.
 */
function validPath(keyword: string, path: readonly string[] | undefined): string | undefined {
  if (path === undefined || path.length === 0) return undefined
  const levels = path.map((level) => level.normalize('NFC').trim())
  if (levels.some((level) => level === '' || level.includes(HIERARCHY_SEPARATOR))) return undefined
  if (levels[levels.length - 1] !== keyword) return undefined
  return levels.join(HIERARCHY_SEPARATOR)
}

function key(s: string): string {
  return s.normalize('NFC').trim()
}

function leafOf(entry: string): string {
  const parts = entry.split(HIERARCHY_SEPARATOR)
  return parts[parts.length - 1]!
}

function uniqueKeywords(list: readonly string[]): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const item of list) {
    const k = item.normalize('NFC').trim()
    if (k === '' || seen.has(k)) continue
    seen.add(k)
    out.push(item.trim())
  }
  return out
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i])
}

function childElements(node: Node): Element[] {
  const out: Element[] = []
  for (let child = node.firstChild; child !== null; child = child.nextSibling) {
    if (child.nodeType === ELEMENT_NODE) out.push(child as Element)
  }
  return out
}

function isElement(node: Node, ns: string, localName: string): boolean {
  return (
    node.nodeType === ELEMENT_NODE && (node as Element).namespaceURI === ns && (node as Element).localName === localName
  )
}

function ownerDocument(node: Node): Document {
  const doc = node.ownerDocument
  if (doc === null) throw new Error('XMP node without a document')
  return doc
}

function rdfRoot(doc: Document): Element | undefined {
  const found = doc.getElementsByTagNameNS(XMP_NS.rdf, 'RDF')
  return found.length > 0 ? (found.item(0) ?? undefined) : undefined
}

function descriptions(rdf: Element): Element[] {
  return childElements(rdf).filter((e) => isElement(e, XMP_NS.rdf, 'Description'))
}

/** Top-level property elements `{ns}localName` in every rdf:Description, in document order. */
function findProperties(rdf: Element, ns: string, localName: string): Element[] {
  return descriptions(rdf).flatMap((d) => childElements(d).filter((e) => isElement(e, ns, localName)))
}

/** Items of an XMP array property (rdf:Bag, rdf:Seq or rdf:Alt), or its text when a tool wrote a plain value. */
function arrayItems(properties: readonly Element[]): string[] {
  const items: string[] = []
  for (const property of properties) {
    const containers = childElements(property).filter(
      (e) => isElement(e, XMP_NS.rdf, 'Bag') || isElement(e, XMP_NS.rdf, 'Seq') || isElement(e, XMP_NS.rdf, 'Alt'),
    )
    if (containers.length === 0) {
      const text = (property.textContent ?? '').trim()
      if (text !== '') items.push(text)
      continue
    }
    for (const container of containers) {
      for (const li of childElements(container).filter((e) => isElement(e, XMP_NS.rdf, 'li'))) {
        const text = li.textContent ?? ''
        if (text.trim() !== '') items.push(text)
      }
    }
  }
  return items
}

/** Leading whitespace of the line `node` starts on, read from the text node before it. */
function indentOf(node: Node): string {
  const before = node.previousSibling
  if (before?.nodeType !== TEXT_NODE) return ''
  const text = before.nodeValue ?? ''
  const newline = text.lastIndexOf('\n')
  return newline < 0 ? '' : text.slice(newline + 1).replace(/[^ \t]/g, '')
}

function removeWithIndent(element: Element): void {
  const parent = element.parentNode
  if (parent === null) return
  const before = element.previousSibling
  if (before?.nodeType === TEXT_NODE && (before.nodeValue ?? '').trim() === '') parent.removeChild(before)
  parent.removeChild(element)
}

/** A prefix bound to `ns` at `element`, declaring `preferred` (or a free variant) there when none is. */
function prefixFor(element: Element, ns: string, preferred: string): string {
  const bound = element.lookupPrefix(ns)
  if (bound !== null && bound !== '') return bound
  let prefix = preferred
  for (let n = 1; element.lookupNamespaceURI(prefix) !== null; n++) prefix = `${preferred}${n}`
  element.setAttributeNS(XMP_NS.xmlns, `xmlns:${prefix}`, ns)
  return prefix
}

/**
 * Writes `items` as the rdf:Bag of property `{ns}localName`: in place of the first existing
 * element (the others are removed), else in the rdf:Description that already uses the namespace,
 * else in the first one. An empty list removes the property.
 */
function setBag(
  rdf: Element,
  existing: readonly Element[],
  ns: string,
  preferredPrefix: string,
  localName: string,
  items: readonly string[],
): void {
  for (const extra of existing.slice(1)) removeWithIndent(extra)
  const first = existing[0]
  if (items.length === 0) {
    if (first !== undefined) removeWithIndent(first)
    return
  }
  const doc = ownerDocument(rdf)
  const rdfPrefix = rdf.prefix ?? 'rdf'
  let property: Element
  if (first !== undefined) {
    property = first
    while (property.firstChild !== null) property.removeChild(property.firstChild)
  } else {
    const description = descriptionFor(rdf, ns)
    const prefix = prefixFor(description, ns, preferredPrefix)
    property = doc.createElementNS(ns, `${prefix}:${localName}`)
    appendIndented(description, property)
  }
  const indent = indentOf(property)
  const bag = doc.createElementNS(XMP_NS.rdf, `${rdfPrefix}:Bag`)
  for (const item of items) {
    bag.appendChild(doc.createTextNode(`\n${indent}  `))
    const li = doc.createElementNS(XMP_NS.rdf, `${rdfPrefix}:li`)
    li.appendChild(doc.createTextNode(item))
    bag.appendChild(li)
  }
  bag.appendChild(doc.createTextNode(`\n${indent} `))
  property.appendChild(doc.createTextNode(`\n${indent} `))
  property.appendChild(bag)
  property.appendChild(doc.createTextNode(`\n${indent}`))
}

function descriptionFor(rdf: Element, ns: string): Element {
  const all = descriptions(rdf)
  const using = all.find((d) => childElements(d).some((e) => e.namespaceURI === ns))
  if (using !== undefined) return using
  if (all[0] !== undefined) return all[0]
  const doc = ownerDocument(rdf)
  const rdfPrefix = rdf.prefix ?? 'rdf'
  const description = doc.createElementNS(XMP_NS.rdf, `${rdfPrefix}:Description`)
  description.setAttributeNS(XMP_NS.rdf, `${rdfPrefix}:about`, '')
  appendIndented(rdf, description)
  return description
}

/** Appends `child` to `parent` on a line of its own, one space deeper than the parent. */
function appendIndented(parent: Element, child: Element): void {
  const doc = ownerDocument(parent)
  const indent = indentOf(parent)
  const last = parent.lastChild
  const trailing =
    last?.nodeType === TEXT_NODE && (last.nodeValue ?? '').trim() === ''
      ? last
      : parent.appendChild(doc.createTextNode(`\n${indent}`))
  parent.insertBefore(doc.createTextNode(`\n${indent} `), trailing)
  parent.insertBefore(child, trailing)
}
