/**
 * Positions inside a parsed definition file. Both JSON and YAML files go
 * through the YAML parser (JSON is YAML), which keeps an offset on every
 * node, so any field can be traced back to its line for annotations.
 */
import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml'
import type { Document, LineCounter, Node } from 'yaml'
import type { DefinitionSource } from '../model.js'

export type FieldPath = ReadonlyArray<string | number>

export interface Position {
  line: number
  column: number
}

/** A DefinitionSource that also knows columns, for precise problems. */
export interface DocumentSource extends DefinitionSource {
  positionOf(path: FieldPath): Position
}

export function createSource(
  file: string,
  doc: Document.Parsed,
  lineCounter: LineCounter
): DocumentSource {
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset)
    return { line, column: col }
  }

  const positionOf = (path: FieldPath): Position => {
    let node: unknown = doc.contents
    let offset = startOf(node) ?? 0

    for (const segment of path) {
      // Aliases point at their anchor; follow it so that fields reached
      // through an alias still get a line, the anchor's.
      if (isAlias(node)) node = node.resolve(doc)

      if (isMap(node)) {
        const pair = node.items.find(
          (item) =>
            isScalar(item.key) && String(item.key.value) === String(segment)
        )
        if (pair === undefined) break
        offset = startOf(pair.key) ?? offset
        node = pair.value
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)]
        if (item === undefined) break
        offset = startOf(item) ?? offset
        node = item
      } else {
        break
      }
    }

    return at(offset)
  }

  const root = doc.contents
  const firstKey = isMap(root) ? root.items[0]?.key : undefined
  const line = at(startOf(firstKey) ?? startOf(root) ?? 0).line

  return {
    file,
    line,
    lineOf: (path) => positionOf(path).line,
    positionOf
  }
}

function startOf(node: unknown): number | undefined {
  if (isPair(node)) return startOf(node.key)
  const range = (node as Node | null | undefined)?.range
  return range?.[0]
}

/** A path as users read it: `steps[1].controlValues.subject`. */
export function formatField(path: FieldPath): string {
  let text = ''
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) {
      text += text === '' ? segment : `.${segment}`
    } else text += `[${JSON.stringify(segment)}]`
  }
  return text
}
