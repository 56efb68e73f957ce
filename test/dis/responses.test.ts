import { describe, expect, it } from "vitest";
import {
  parseAppInfo,
  parseConsumerStatePage,
  parseCursor,
  parseDescribeStreamPage,
  parseListAppsPage,
  parseListStreamsPage,
  parsePutRecords,
  parseRecords,
  parseShowCheckpoint,
} from "../../src/dis/responses";
import { ResponseFormatError } from "../../src/dis/wire";

describe("parseShowCheckpoint", () => {
  it.each([
    ['{"sequence_number":"12345","metadata":"consumer-1 state: ok"}', { sequenceNumber: "12345", metadata: "consumer-1 state: ok" }],
    ['{"sequence_number":"12345","metadata":""}', { sequenceNumber: "12345" }],
    ['{"sequence_number":"12345","metadata":null}', { sequenceNumber: "12345" }],
    ['{"sequence_number":12345}', { sequenceNumber: "12345" }],
    ['{"sequence_number":9223372036854775807}', { sequenceNumber: "9223372036854775807" }],
    ['{"sequence_number":"-1","metadata":""}', null],
    ['{"sequence_number":-1}', null],
    ['{"sequence_number":""}', null],
    ['{"sequence_number":null}', null],
    ["{}", null],
  ])("%s", (body, expected) => {
    expect(parseShowCheckpoint(body)).toEqual(expected);
  });

  it.each([
    ['{"sequence_number":"abc"}', 'sequence_number is "abc", not a sequence number from 0 to 9223372036854775807'],
    ['{"sequence_number":"1","metadata":5}', "metadata: Invalid input: expected string, received number"],
    ["[]", "the body: Invalid input: expected object, received array"],
  ])("%s is refused", (body, message) => {
    expect(() => parseShowCheckpoint(body)).toThrow(new ResponseFormatError(message));
  });
});

describe("apps", () => {
  const app = { app_name: "orders", app_id: "id-1", create_time: 1700000000000, commit_checkpoint_stream_names: ["clicks"] };

  it("parseAppInfo", () => {
    expect(parseAppInfo(JSON.stringify(app))).toEqual({ name: "orders", id: "id-1", createdAt: 1700000000000, committedStreams: ["clicks"] });
    expect(parseAppInfo(JSON.stringify({ ...app, commit_checkpoint_stream_names: undefined, extra: 1 }))).toEqual({
      name: "orders",
      id: "id-1",
      createdAt: 1700000000000,
      committedStreams: [],
    });
  });

  it("parseListAppsPage", () => {
    const body = JSON.stringify({ has_more_app: true, apps: [app, { ...app, app_name: "b", create_time: "5" }], total_number: 9 });
    expect(parseListAppsPage(body)).toEqual({
      hasMore: true,
      items: [
        { name: "orders", id: "id-1", createdAt: 1700000000000, committedStreams: ["clicks"] },
        { name: "b", id: "id-1", createdAt: 5, committedStreams: ["clicks"] },
      ],
    });
    expect(parseListAppsPage('{"has_more_app":false,"total_number":0}')).toEqual({ hasMore: false, items: [] });
  });

  it("refuses an app without a name", () => {
    expect(() => parseListAppsPage(JSON.stringify({ has_more_app: false, apps: [{ ...app, app_name: undefined }] }))).toThrow(
      new ResponseFormatError("apps.0.app_name: Invalid input: expected string, received undefined"),
    );
  });
});

describe("parseConsumerStatePage", () => {
  it("reads the documented example (bare numbers, -1 for never committed)", () => {
    const body =
      '{"has_more":false,"stream_name":"disMonitorTest","app_name":"4aSiZ","partition_consuming_states":' +
      '[{"partition_id":0,"sequence_number":-1,"latest_offset":1658297359,"earliest_offset":1653120573,"checkpoint_type":"LAST_READ","status":"ACTIVE"}]}';
    expect(parseConsumerStatePage(body)).toEqual({
      hasMore: false,
      items: [{ partition: 0, sequenceNumber: null, earliest: "1653120573", latest: "1658297359", status: "ACTIVE" }],
    });
  });

  it("reads strings, shardId ids, metadata and values beyond 2^53", () => {
    const body =
      '{"has_more":true,"partition_consuming_states":[' +
      '{"partition_id":"shardId-0000000002","sequence_number":"9223372036854775806","latest_offset":9223372036854775807,' +
      '"earliest_offset":"0","checkpoint_type":"LAST_READ","status":"DELETED","metadata":"m"}]}';
    expect(parseConsumerStatePage(body)).toEqual({
      hasMore: true,
      items: [{ partition: 2, sequenceNumber: "9223372036854775806", earliest: "0", latest: "9223372036854775807", status: "DELETED", metadata: "m" }],
    });
  });

  it("names the bad field", () => {
    const body = '{"has_more":false,"partition_consuming_states":[{"partition_id":"p1","sequence_number":1,"latest_offset":1,"earliest_offset":0,"status":"ACTIVE"}]}';
    expect(() => parseConsumerStatePage(body)).toThrow(new ResponseFormatError('partition_consuming_states.0.partition_id is "p1", not a partition id'));
  });
});

describe("parseListStreamsPage", () => {
  it("reads stream_info_list", () => {
    const body = JSON.stringify({
      total_number: 1,
      stream_names: ["clicks"],
      has_more_streams: false,
      stream_info_list: [
        { stream_name: "clicks", create_time: 1, retention_period: 24, status: "RUNNING", stream_type: "COMMON", data_type: "BLOB", partition_count: 3, tags: [] },
      ],
    });
    expect(parseListStreamsPage(body)).toEqual({
      hasMore: false,
      items: [{ name: "clicks", status: "RUNNING", type: "COMMON", dataType: "BLOB", partitionCount: 3, retentionHours: 24, createdAt: 1 }],
    });
  });
});

describe("parseDescribeStreamPage", () => {
  const stream = {
    stream_name: "clicks",
    stream_id: "sid",
    create_time: 1,
    last_modified_time: 2,
    retention_period: 24,
    status: "RUNNING",
    stream_type: "COMMON",
    data_type: "BLOB",
    writable_partition_count: 2,
    readable_partition_count: 3,
  };

  it("reads partitions, their ranges and open statuses", () => {
    const body = JSON.stringify({
      ...stream,
      has_more_partitions: true,
      partitions: [
        { partition_id: "shardId-0000000000", status: "ACTIVE", hash_range: "[0 : 4611686018427387902]", sequence_number_range: "[0 : 200]" },
        { partition_id: "shardId-0000000001", status: "CREATING", hash_range: "[4611686018427387903 : 9223372036854775807]", sequence_number_range: "[null : null]" },
        { partition_id: "shardId-0000000002", status: "SPLITTING", hash_range: null, sequence_number_range: "", parent_partitions: "shardId-0000000000" },
      ],
    });
    expect(parseDescribeStreamPage(body)).toEqual({
      stream: {
        name: "clicks",
        id: "sid",
        status: "RUNNING",
        type: "COMMON",
        dataType: "BLOB",
        retentionHours: 24,
        createdAt: 1,
        lastModifiedAt: 2,
        writablePartitionCount: 2,
        readablePartitionCount: 3,
      },
      hasMore: true,
      items: [
        { partition: 0, id: "shardId-0000000000", status: "ACTIVE", hashRange: { low: "0", high: "4611686018427387902" }, sequenceRange: { first: "0", next: "200" } },
        { partition: 1, id: "shardId-0000000001", status: "CREATING", hashRange: { low: "4611686018427387903", high: "9223372036854775807" }, sequenceRange: null },
        { partition: 2, id: "shardId-0000000002", status: "SPLITTING", hashRange: null, sequenceRange: null, parentPartitions: "shardId-0000000000" },
      ],
    });
  });

  it("names a malformed range", () => {
    const body = JSON.stringify({
      ...stream,
      has_more_partitions: false,
      partitions: [{ partition_id: "shardId-0000000000", status: "ACTIVE", hash_range: "[0 : 1]", sequence_number_range: "[9 : 3]" }],
    });
    expect(() => parseDescribeStreamPage(body)).toThrow(
      new ResponseFormatError('partitions.0.sequence_number_range is "[9 : 3]": its low end exceeds its high end'),
    );
  });
});

describe("cursors and records", () => {
  it("parseCursor", () => {
    expect(parseCursor('{"partition_cursor":"abc"}')).toBe("abc");
    expect(() => parseCursor('{"partition_cursor":""}')).toThrow(ResponseFormatError);
  });

  it("parseRecords decodes base64 and keeps big sequence numbers", () => {
    const body =
      '{"next_partition_cursor":"next","records":[' +
      '{"sequence_number":"9223372036854775806","data":"aGVsbG8=","timestamp":1700000000000,"timestamp_type":"CreateTime","partition_key":"k"},' +
      '{"sequence_number":7,"data":"","timestamp":"1700000000001"}]}';
    expect(parseRecords(body)).toEqual({
      nextCursor: "next",
      records: [
        { sequenceNumber: "9223372036854775806", data: Buffer.from("hello"), timestamp: 1700000000000, partitionKey: "k" },
        { sequenceNumber: "7", data: Buffer.alloc(0), timestamp: 1700000000001 },
      ],
    });
    expect(parseRecords('{"next_partition_cursor":"n","records":[]}')).toEqual({ nextCursor: "n", records: [] });
  });

  it("refuses data that is not base64", () => {
    expect(() => parseRecords('{"next_partition_cursor":"n","records":[{"sequence_number":"1","data":"%%","timestamp":1}]}')).toThrow(
      new ResponseFormatError("records.0.data is not base64"),
    );
  });
});

describe("parsePutRecords", () => {
  it("reads successes and per-record failures", () => {
    const body =
      '{"failed_record_count":1,"records":[{"partition_id":"shardId-0000000001","sequence_number":"10"},' +
      '{"error_code":"DIS.4303","error_message":"Exceeded traffic control limit."}]}';
    expect(parsePutRecords(body, 2)).toEqual({
      failedRecordCount: 1,
      records: [
        { ok: true, partition: 1, sequenceNumber: "10" },
        { ok: false, errorCode: "DIS.4303", errorMessage: "Exceeded traffic control limit." },
      ],
    });
  });

  it("refuses a result count that does not match", () => {
    expect(() => parsePutRecords('{"failed_record_count":0,"records":[]}', 1)).toThrow(new ResponseFormatError("0 results for 1 records"));
  });

  it("refuses a result with neither position nor error", () => {
    expect(() => parsePutRecords('{"failed_record_count":0,"records":[{}]}', 1)).toThrow(
      new ResponseFormatError("records.0 has neither a partition_id nor an error_code"),
    );
  });
});
