import { ByteCursor, type OrcInteger, safeUvarint, unzigzag } from './byte-cursor.js'
import { corrupt } from './orc-error.js'

/** One field value of a protobuf message: a varint, a length-delimited payload, or a fixed 32/64-bit payload. */
export type ProtoValue = OrcInteger | Uint8Array

/** The fields of one protobuf message by number, every occurrence in order (ORC's messages are proto2). */
export class ProtoMessage {
  private constructor(
    private readonly fields: Map<number, ProtoValue[]>,
    readonly what: string,
  ) {}

  /** Decodes `bytes` as one message; `what` names it in errors (`footer`). */
  static decode(bytes: Uint8Array, what: string): ProtoMessage {
    const cursor = new ByteCursor(bytes, what)
    const fields = new Map<number, ProtoValue[]>()
    while (cursor.remaining > 0) {
      const tag = safeUvarint(cursor, `${what} field tag`)
      const number = Math.floor(tag / 8)
      const wire = tag % 8
      let value: ProtoValue
      if (wire === 0) value = cursor.uvarint()
      else if (wire === 2) value = cursor.take(safeUvarint(cursor, `${what} field length`))
      else if (wire === 1) value = cursor.take(8)
      else if (wire === 5) value = cursor.take(4)
      else return corrupt(`${what} has a field of wire type ${wire}`)
      if (number === 0) corrupt(`${what} has a field numbered 0`)
      const list = fields.get(number)
      if (list) list.push(value)
      else fields.set(number, [value])
    }
    return new ProtoMessage(fields, what)
  }

  private last(field: number): ProtoValue | undefined {
    const list = this.fields.get(field)
    return list?.[list.length - 1]
  }

  /** A varint field that must fit in a number; `fallback` when absent. */
  uint(field: number, fallback = 0): number {
    const value = this.last(field)
    if (value === undefined) return fallback
    if (typeof value !== 'number') corrupt(`${this.what} field ${field} is not a small integer`)
    return value
  }

  has(field: number): boolean {
    return this.fields.has(field)
  }

  /** A varint field of any size (`undefined` when absent). */
  integer(field: number): OrcInteger | undefined {
    const value = this.last(field)
    if (value instanceof Uint8Array) corrupt(`${this.what} field ${field} is not an integer`)
    return value
  }

  /** A zigzag (sint64) field. */
  sint(field: number): OrcInteger | undefined {
    const value = this.integer(field)
    if (value === undefined) return undefined
    return unzigzag(value)
  }

  bytes(field: number): Uint8Array | undefined {
    const value = this.last(field)
    if (value !== undefined && !(value instanceof Uint8Array)) corrupt(`${this.what} field ${field} is not a length-delimited field`)
    return value
  }

  string(field: number): string | undefined {
    const value = this.bytes(field)
    return value === undefined ? undefined : utf8.decode(value)
  }

  /** A `double` field (fixed64, little-endian). */
  double(field: number): number | undefined {
    const value = this.bytes(field)
    if (value === undefined) return undefined
    if (value.length !== 8) corrupt(`${this.what} field ${field} is not a double`)
    return new DataView(value.buffer, value.byteOffset, 8).getFloat64(0, true)
  }

  /** Every occurrence of a message field, decoded. */
  messages(field: number): ProtoMessage[] {
    return (this.fields.get(field) ?? []).map((value, index) => {
      if (!(value instanceof Uint8Array)) corrupt(`${this.what} field ${field} is not a message`)
      return ProtoMessage.decode(value, `${this.what} field ${field}[${index}]`)
    })
  }

  message(field: number): ProtoMessage | undefined {
    const value = this.bytes(field)
    return value === undefined ? undefined : ProtoMessage.decode(value, `${this.what} field ${field}`)
  }

  strings(field: number): string[] {
    return (this.fields.get(field) ?? []).map((value) => {
      if (!(value instanceof Uint8Array)) corrupt(`${this.what} field ${field} is not a string`)
      return utf8.decode(value)
    })
  }

  /** A repeated small unsigned varint field, packed or not. */
  uints(field: number): number[] {
    const out: number[] = []
    for (const value of this.fields.get(field) ?? []) {
      if (typeof value === 'number') {
        out.push(value)
      } else if (value instanceof Uint8Array) {
        const cursor = new ByteCursor(value, `${this.what} field ${field}`)
        while (cursor.remaining > 0) out.push(safeUvarint(cursor, `${this.what} field ${field}`))
      } else {
        corrupt(`${this.what} field ${field} holds a value too large`)
      }
    }
    return out
  }
}

const utf8 = new TextDecoder()
