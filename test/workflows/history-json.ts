/**
 * Temporal's JSON history format, read and written with the SDK's historyFromJSON / historyToJSON.
 *
 * Those two fail with "TypeError: type must be a Type" when npm installs @temporalio/common and
 * @temporalio/proto with separate copies of protobufjs (this repository's lockfile does: the root
 * protobufjs is 7.x for @grpc/proto-loader, so each @temporalio package nests its own 8.x), because the
 * protojson helper from one copy type-checks a History type from the other. In that case the same conversion
 * runs with the protojson helper of the protobufjs copy that @temporalio/proto itself loads.
 */
import { createRequire } from 'node:module';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import { History, historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

const isDuplicateProtobufjs = (err: unknown): boolean => err instanceof TypeError && err.message === 'type must be a Type';

let fallback: { protojson: ProtoJson; historyType: unknown } | undefined;
function protoPackageJson(): { protojson: ProtoJson; historyType: unknown } {
  if (!fallback) {
    const requireFromProto = createRequire(require.resolve('@temporalio/proto'));
    const protojson = requireFromProto('protobufjs/ext/protojson') as ProtoJson;
    const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
    fallback = { protojson, historyType: root.lookupType('temporal.api.history.v1.History') };
  }
  return fallback;
}

/** The history as pretty-printed JSON, as `temporal workflow show --output json` writes it. */
export function historyToJson(history: History): string {
  try {
    return historyToJSON(history);
  } catch (err) {
    if (!isDuplicateProtobufjs(err)) throw err;
    const { protojson, historyType } = protoPackageJson();
    return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
  }
}

export function historyFromJson(json: unknown): History {
  try {
    return historyFromJSON(json);
  } catch (err) {
    if (!isDuplicateProtobufjs(err)) throw err;
    // Files written by historyToJson (or a current Temporal CLI) are canonical proto JSON: no enum fix-ups needed.
    const { protojson, historyType } = protoPackageJson();
    return protojson.fromJson(historyType, json, { ignoreUnknownFields: true }) as History;
  }
}
