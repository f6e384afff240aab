// A minimal protobuf wire-format reader: varints, fixed 32/64-bit values and length-delimited fields,
// enough to decode the OTLP messages (opentelemetry-proto) without generated code. Malformed input
// throws a ProtobufError naming the offset; nothing is read past the buffer.

export class ProtobufError extends Error {}

export const WIRE = { VARINT: 0, FIXED64: 1, LENGTH: 2, FIXED32: 5 } as const;

export class ProtobufReader {
  private offset: number;

  constructor(
    private readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.offset = start;
  }

  done(): boolean {
    return this.offset >= this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.varint();
    const field = Number(key >> 3n);
    if (field === 0) throw new ProtobufError(`field number 0 at offset ${this.offset}`);
    return { field, wire: Number(key & 7n) };
  }

  varint(): bigint {
    let result = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.offset >= this.end) throw new ProtobufError(`truncated varint at offset ${this.offset}`);
      const byte = this.bytes[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
    }
    throw new ProtobufError(`varint longer than 10 bytes at offset ${this.offset}`);
  }

  fixed64(): bigint {
    const view = this.view(8);
    return view.getBigUint64(0, true);
  }

  double(): number {
    return this.view(8).getFloat64(0, true);
  }

  fixed32(): number {
    return this.view(4).getUint32(0, true);
  }

  /** A length-delimited field as a reader over its bytes. */
  sub(): ProtobufReader {
    const length = Number(this.varint());
    if (length < 0 || this.offset + length > this.end)
      throw new ProtobufError(`length ${length} past the end at offset ${this.offset}`);
    const reader = new ProtobufReader(this.bytes, this.offset, this.offset + length);
    this.offset += length;
    return reader;
  }

  string(): string {
    const sub = this.sub();
    return new TextDecoder('utf-8', { fatal: false }).decode(sub.bytes.subarray(sub.offset, sub.end));
  }

  bytesField(): Uint8Array {
    const sub = this.sub();
    return sub.bytes.subarray(sub.offset, sub.end);
  }

  /** Skips a field this decoder does not read. */
  skip(wire: number): void {
    switch (wire) {
      case WIRE.VARINT:
        this.varint();
        return;
      case WIRE.FIXED64:
        this.view(8);
        return;
      case WIRE.LENGTH:
        this.sub();
        return;
      case WIRE.FIXED32:
        this.view(4);
        return;
      default:
        throw new ProtobufError(`unsupported wire type ${wire} at offset ${this.offset}`);
    }
  }

  private view(size: number): DataView {
    if (this.offset + size > this.end) throw new ProtobufError(`truncated value at offset ${this.offset}`);
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, size);
    this.offset += size;
    return view;
  }
}
