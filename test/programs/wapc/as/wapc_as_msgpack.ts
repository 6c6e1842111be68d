// waPC guest (AssemblyScript + @wapc/as-guest + @wapc/as-msgpack): codec interop.
// `greet` decodes a MessagePack map {name: string, age: any non-negative
// msgpack int that fits u32} (keys in any order, other keys skipped) and
// answers the map {message: "Hello, <name>!", next_age: age + 1}, written in
// exactly that field order (a struct map, as wapc-codec / rmp-serde
// with_struct_map encodes a struct { message: String, next_age: u64 }):
//   0x82, fixstr "message", <str>, fixstr "next_age", <smallest msgpack uint>
// Decode problems are guest errors "decode error: <message>"; a missing field
// is "missing field: <name>".
import { register, handleCall, handleAbort, Result } from "@wapc/as-guest";
import { Decoder, Encoder, Sizer, Writer } from "@wapc/as-msgpack";

class Greeting {
  message: string = "";
  next_age: u64 = 0;

  encode(writer: Writer): void {
    writer.writeMapSize(2);
    writer.writeString("message");
    writer.writeString(this.message);
    writer.writeString("next_age");
    writer.writeUInt64(this.next_age);
  }

  toBuffer(): ArrayBuffer {
    const sizer = new Sizer();
    this.encode(sizer);
    const buffer = new ArrayBuffer(sizer.length);
    this.encode(new Encoder(buffer));
    return buffer;
  }
}

function decodeError(message: string): Result<ArrayBuffer> {
  return Result.error<ArrayBuffer>(new Error("decode error: " + message));
}

register("greet", (payload: ArrayBuffer): Result<ArrayBuffer> => {
  const decoder = new Decoder(payload);
  let name: string | null = null;
  let age: u32 = 0;
  let hasAge = false;
  let fields = decoder.readMapSize();
  if (decoder.error() != null) return decodeError(decoder.error()!.message);
  while (fields > 0) {
    fields--;
    const key = decoder.readString();
    if (key == "name") {
      name = decoder.readString();
    } else if (key == "age") {
      age = decoder.readUInt32();
      hasAge = true;
    } else {
      decoder.skip();
    }
    if (decoder.error() != null) return decodeError(decoder.error()!.message);
  }
  if (name == null) return Result.error<ArrayBuffer>(new Error("missing field: name"));
  if (!hasAge) return Result.error<ArrayBuffer>(new Error("missing field: age"));
  const out = new Greeting();
  out.message = "Hello, " + name + "!";
  out.next_age = <u64>age + 1;
  return Result.ok(out.toBuffer());
});

export function __guest_call(operation_size: usize, payload_size: usize): bool {
  return handleCall(operation_size, payload_size);
}

function abort(message: string | null, fileName: string | null = null, lineNumber: u32 = 0, columnNumber: u32 = 0): void {
  handleAbort(message, fileName, lineNumber, columnNumber);
  unreachable();
}
