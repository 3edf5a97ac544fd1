import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { BYTEAIR_MESSAGE_TYPES, CallbackRequest, decodeMessage, encodeMessage, PredictRequest } from '../src/index.js';

/** The same .proto files the generated code comes from, read by an independent implementation. */
const PROTO_DIR = fileURLToPath(new URL('../../../proto/', import.meta.url));
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => PROTO_DIR + target;
root.loadSync('bytedance/volcengine/byteair/volcengine_byteair.proto', { keepCase: true });
root.resolveAll();

const reference = (name: string) =>
  root.lookupType(name === 'Status' ? `bytedance.volcengine.common.${name}` : `bytedance.volcengine.byteair.${name}`);

interface Fixture {
  message: string;
  json: Record<string, unknown>;
  json_proto_names: Record<string, unknown>;
  bytes_b64: string;
}
const fixtures: Fixture[] = JSON.parse(
  readFileSync(new URL('../../../fixtures/byteair/official-pb-messages.json', import.meta.url), 'utf8'),
).messages;

/** ts-proto's field names: lowerCamelCase of the .proto name. */
const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

type Json = Record<string, unknown>;

/** Renames the lowerCamelCase keys of a proto3 JSON object to the .proto names, recursively. */
function toProtoNames(json: Json, type: protobuf.Type): Json {
  const out: Json = {};
  for (const field of type.fieldsArray) {
    const value = json[camel(field.name)];
    if (value === undefined) continue;
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const convert = (v: unknown) => (nested ? toProtoNames(v as Json, nested) : v);
    if (field.map) {
      out[field.name] = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, convert(v)]));
    } else if (field.repeated) out[field.name] = (value as unknown[]).map(convert);
    else out[field.name] = convert(value);
  }
  return out;
}

const isDefault = (v: unknown) =>
  v === undefined ||
  v === '' ||
  v === 0 ||
  v === false ||
  v === 0n ||
  v === '0' ||
  (v instanceof Uint8Array && !v.length);

/**
 * A message as plain data keyed by .proto names, int64 as decimal strings, without default scalars, empty lists or
 * empty maps: the form in which two implementations' views of the same bytes must agree.
 */
function canonical(message: Json, type: protobuf.Type, nameOf: (field: protobuf.Field) => string): Json {
  const out: Json = {};
  for (const field of type.fieldsArray) {
    const value = message[nameOf(field)];
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const convert = (v: unknown): unknown =>
      nested
        ? canonical((v ?? {}) as Json, nested, nameOf)
        : typeof v === 'bigint'
          ? v.toString()
          : typeof v === 'object' && v !== null
            ? String(v)
            : v;
    if (field.map) {
      const entries = Object.entries((value ?? {}) as Json);
      if (entries.length) out[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, convert(v)]));
    } else if (field.repeated) {
      const list = (value ?? []) as unknown[];
      if (list.length) out[field.name] = list.map(convert);
    } else if (nested ? value != null : !isDefault(convert(value))) {
      out[field.name] = convert(value);
    }
  }
  return out;
}

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

describe.each(fixtures.map((f, i) => [`${i}: ${f.message}`, f] as const))('official message %s', (_name, fixture) => {
  const ours = BYTEAIR_MESSAGE_TYPES[fixture.message];
  const theirs = reference(fixture.message);
  const bytes = fromBase64(fixture.bytes_b64);

  it('encodes both JSON forms to the identical bytes', () => {
    expect(Buffer.from(encodeMessage(ours, ours.fromJSON(fixture.json))).toString('base64')).toBe(fixture.bytes_b64);
    expect(Buffer.from(encodeMessage(ours, ours.fromJSON(fixture.json_proto_names))).toString('base64')).toBe(
      fixture.bytes_b64,
    );
  });

  it('decodes the bytes back to both JSON forms', () => {
    const json = ours.toJSON(decodeMessage(ours, bytes)) as Json;
    expect(json).toEqual(fixture.json);
    expect(toProtoNames(json, theirs)).toEqual(fixture.json_proto_names);
  });

  it('agrees with protobufjs in both directions', () => {
    const decodedByThem = theirs.toObject(theirs.decode(bytes), { longs: String, enums: String });
    expect(decodedByThem).toEqual(fixture.json_proto_names);
    const encodedByThem = theirs.encode(theirs.fromObject(fixture.json_proto_names)).finish();
    expect(ours.toJSON(decodeMessage(ours, encodedByThem))).toEqual(fixture.json);
  });
});

/** An arbitrary message of a reflected type, in the shape of the generated code (int64 as bigint, maps as objects). */
function arbitraryMessage(type: protobuf.Type): fc.Arbitrary<Json> {
  const text = fc.string({ unit: 'binary', maxLength: 10 });
  // Generated maps are plain objects, on which a "__proto__" key is not an own property.
  const mapKey = text.filter((key) => key !== '__proto__');
  const noNegativeZero = (x: number) => (Object.is(x, -0) ? 0 : x);
  const scalar = (field: protobuf.Field): fc.Arbitrary<unknown> => {
    if (field.resolvedType instanceof protobuf.Type) return arbitraryMessage(field.resolvedType);
    if (field.resolvedType instanceof protobuf.Enum)
      return fc.constantFrom(...Object.values(field.resolvedType.values));
    switch (field.type) {
      case 'string':
        return text;
      case 'bool':
        return fc.boolean();
      case 'int32':
        return fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
      case 'int64':
        return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
      case 'float':
        return fc.float().map(noNegativeZero);
      case 'double':
        return fc.double().map(noNegativeZero);
      default:
        throw new Error(`no arbitrary for ${field.type} (${type.name}.${field.name})`);
    }
  };
  const fields = Object.fromEntries(
    type.fieldsArray.map((field) => {
      const value = scalar(field);
      const arbitrary = field.map
        ? fc.dictionary(mapKey, value, { maxKeys: 3, noNullPrototype: true })
        : field.repeated
          ? fc.array(value, { maxLength: 3 })
          : value;
      return [camel(field.name), arbitrary];
    }),
  );
  return fc.record(fields, { requiredKeys: [] });
}

describe.each([
  ['CallbackRequest', (partial: Json): unknown => CallbackRequest.fromPartial(partial as unknown as CallbackRequest)],
  ['PredictRequest', (partial: Json): unknown => PredictRequest.fromPartial(partial as unknown as PredictRequest)],
] as const)('random %s against protobufjs', (name, fromPartial) => {
  const theirs = reference(name);
  const ours = BYTEAIR_MESSAGE_TYPES[name];
  const messages = arbitraryMessage(theirs).map(fromPartial);

  it('protobufjs reads what we write as the same values, and we read what it writes back unchanged', () => {
    fc.assert(
      fc.property(messages, (message) => {
        const bytes = encodeMessage(ours, message);
        const decodedByThem = theirs.decode(bytes);
        const asTheySeeIt = theirs.toObject(decodedByThem, { longs: String, enums: Number });
        expect(canonical(asTheySeeIt, theirs, (f) => f.name)).toEqual(
          canonical(message as unknown as Json, theirs, (f) => camel(f.name)),
        );
        const encodedByThem = theirs.encode(decodedByThem).finish();
        expect(decodeMessage(ours, encodedByThem)).toEqual(message);
      }),
      { numRuns: 300 },
    );
  });
});

describe('int64 across the full range', () => {
  const theirs = reference('PredictRequest');

  it('round-trips the extremes and every power of two without precision loss', () => {
    const values = [-(2n ** 63n), 2n ** 63n - 1n, -1n, 0n, 1n, 2n ** 53n + 1n];
    for (let bit = 0n; bit < 63n; bit++) values.push(2n ** bit, -(2n ** bit));
    const message = PredictRequest.fromPartial({
      context: { feature: { intArrayFeature: { all: { values } }, intFeature: { max: 2n ** 63n - 1n } } },
      searchInfo: { goodsList: values.map((goodsId) => ({ goodsId })) },
    });
    const bytes = encodeMessage(PredictRequest, message);
    expect(decodeMessage(PredictRequest, bytes)).toEqual(message);
    const asTheySeeIt = theirs.toObject(theirs.decode(bytes), { longs: String, defaults: true }) as {
      context: { feature: { intArrayFeature: { all: { values: string[] } } } };
      searchInfo: { goodsList: { goodsId: string }[] };
    };
    expect(asTheySeeIt.context.feature.intArrayFeature.all.values).toEqual(values.map(String));
    expect(asTheySeeIt.searchInfo.goodsList.map((g) => g.goodsId)).toEqual(values.map(String));
    expect(PredictRequest.toJSON(message)).toMatchObject({
      context: { feature: { intFeature: { max: '9223372036854775807' } } },
    });
  });
});
