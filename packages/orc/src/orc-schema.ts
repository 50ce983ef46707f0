import type { OrcType, OrcTypeKind } from './orc-metadata.js'
import { corrupt } from './orc-error.js'

/** A type of the file's schema as a tree. */
export interface OrcSchema {
  /** The column id (the index in the footer's types). */
  column: number
  kind: OrcTypeKind
  /** Struct fields; for a file whose root is not a struct, one field named '' holding the root. */
  fields?: { name: string; type: OrcSchema }[] | undefined
  /** List element, map key and value, union variants. */
  children?: OrcSchema[] | undefined
  precision?: number | undefined
  scale?: number | undefined
  maximumLength?: number | undefined
}

/** The footer's flattened types as a tree, checked (every child after its parent, so no cycles). */
export function schemaOf(types: readonly OrcType[]): OrcSchema {
  if (types.length === 0) corrupt('the footer lists no types')
  const build = (column: number): OrcSchema => {
    const type = types[column]!
    for (const child of type.subtypes) {
      if (child <= column || child >= types.length) corrupt(`type ${column} names child type ${child} out of order`)
    }
    const node: OrcSchema = { column, kind: type.kind }
    if (type.precision !== undefined) node.precision = type.precision
    if (type.scale !== undefined) node.scale = type.scale
    if (type.maximumLength !== undefined) node.maximumLength = type.maximumLength
    if (type.kind === 'struct') {
      if (type.fieldNames.length !== type.subtypes.length) {
        corrupt(`struct type ${column} has ${type.fieldNames.length} field names for ${type.subtypes.length} fields`)
      }
      node.fields = type.subtypes.map((child, index) => ({ name: type.fieldNames[index]!, type: build(child) }))
    } else if (type.subtypes.length > 0) {
      node.children = type.subtypes.map(build)
    }
    return node
  }
  const root = build(0)
  return root.kind === 'struct' ? root : { column: -1, kind: 'struct', fields: [{ name: '', type: root }] }
}

/** The schema as ORC's type text (`struct<key:string,size:bigint>`). */
export function orcTypeText(schema: OrcSchema): string {
  switch (schema.kind) {
    case 'struct':
      return `struct<${(schema.fields ?? []).map((field) => `${field.name}:${orcTypeText(field.type)}`).join(',')}>`
    case 'list':
      return `array<${orcTypeText(schema.children![0]!)}>`
    case 'map':
      return `map<${orcTypeText(schema.children![0]!)},${orcTypeText(schema.children![1]!)}>`
    case 'union':
      return `uniontype<${schema.children!.map(orcTypeText).join(',')}>`
    case 'decimal':
      return schema.precision ? `decimal(${schema.precision},${schema.scale ?? 0})` : 'decimal'
    case 'varchar':
    case 'char':
      return `${schema.kind}(${schema.maximumLength ?? 0})`
    default:
      return SIMPLE_NAMES[schema.kind] ?? schema.kind
  }
}

const SIMPLE_NAMES: Partial<Record<OrcTypeKind, string>> = {
  byte: 'tinyint',
  short: 'smallint',
  long: 'bigint',
  timestamp_instant: 'timestamp with local time zone',
}
