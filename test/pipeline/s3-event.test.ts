/**
 * parseS3EventMessage on SQS bodies shaped as S3 writes them (eventVersion 2.1, keys form-URL-encoded),
 * and the sequencer each event carries: the order of the versions of one key, normalised so that
 * text order is their order (right-padded with zeros, upper case, 32 hex digits).
 */
import { describe, expect, it } from 'vitest';
import {
  MalformedMessageError,
  decodeS3Key,
  parseS3EventMessage,
  type ParsedMessage,
} from '../../src/pipeline/s3-event.js';
import { encodeS3EventKey, s3EventBody, s3EventRecord, s3TestEventBody } from '../support/local-s3.js';

function objects(
  message: ParsedMessage,
): readonly { bucket: string; key: string; eventName: string; sequencer: string }[] {
  expect(message.kind).toBe('objects');
  return message.kind === 'objects' ? message.events : [];
}

/** bucket, key and eventName of each event, without the sequencer. */
function located(message: ParsedMessage): { bucket: string; key: string; eventName: string }[] {
  return objects(message).map(({ bucket, key, eventName }) => ({ bucket, key, eventName }));
}

/** Independent of src/: what S3 documents (pad the shorter sequencer with zeros on the right), at the ledger's width. */
const normalised = (sequencer: string): string => sequencer.toUpperCase().padEnd(32, '0');

function malformed(body: string): MalformedMessageError {
  try {
    parseS3EventMessage(body);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedMessageError);
    return error as MalformedMessageError;
  }
  throw new Error(`expected a MalformedMessageError for ${body}`);
}

describe('parseS3EventMessage: object events', () => {
  it('reads bucket, key, event name and sequencer from a real-shaped ObjectCreated:Put notification', () => {
    const record = s3EventRecord({
      bucket: 'sparkify-landing',
      key: 'log_data/2018/11/2018-11-01-events.json',
      size: 7151,
      eTag: 'abc',
    });
    const body = s3EventBody(record);
    expect(JSON.parse(body).Records[0].s3.object.key).toBe('log_data/2018/11/2018-11-01-events.json');
    expect(parseS3EventMessage(body)).toEqual({
      kind: 'objects',
      events: [
        {
          bucket: 'sparkify-landing',
          key: 'log_data/2018/11/2018-11-01-events.json',
          eventName: 'ObjectCreated:Put',
          sequencer: normalised(record.s3.object.sequencer),
        },
      ],
    });
  });

  it('parses the literal body AWS documents (keys with = encoded as %3D)', () => {
    // Trimmed from a notification S3 delivered to SQS; whitespace as S3 sends it (none).
    const body =
      '{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"2018-11-01T21:01:00.796Z",' +
      '"eventName":"ObjectCreated:CompleteMultipartUpload","userIdentity":{"principalId":"AWS:AIDAEXAMPLE"},' +
      '"requestParameters":{"sourceIPAddress":"203.0.113.10"},"responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},' +
      '"s3":{"s3SchemaVersion":"1.0","configurationId":"landing-to-queue","bucket":{"name":"sparkify-landing","ownerIdentity":{"principalId":"A3NL1KOZZKExample"},"arn":"arn:aws:s3:::sparkify-landing"},' +
      '"object":{"key":"log_data/year%3D2018/2018-11-01+events+%281%29.json","size":7151,"eTag":"d41d8cd98f00b204e9800998ecf8427e","sequencer":"0055AED6DCD90281E5"}}}]}';
    expect(objects(parseS3EventMessage(body))).toEqual([
      {
        bucket: 'sparkify-landing',
        key: 'log_data/year=2018/2018-11-01 events (1).json',
        eventName: 'ObjectCreated:CompleteMultipartUpload',
        sequencer: '0055AED6DCD90281E500000000000000',
      },
    ]);
  });

  it.each([
    ['+ is a space', 'song_data/A/B/C/TR+my+song.json', 'song_data/A/B/C/TR my song.json'],
    ['%2B is a literal plus', 'song_data/A/B/C/a%2Bb.json', 'song_data/A/B/C/a+b.json'],
    ['+ and %2B together', 'song_data/x+%2B+y.json', 'song_data/x + y.json'],
    ['%C3%A9 is é (UTF-8)', 'song_data/A/B/C/caf%C3%A9.json', 'song_data/A/B/C/café.json'],
    ['4-byte UTF-8', 'song_data/%F0%9F%98%80.json', 'song_data/😀.json'],
    ['%25 is a literal percent, decoded once', 'song_data/100%25+sure%252B.json', 'song_data/100% sure%2B.json'],
    ['lower-case hex', 'song_data/caf%c3%a9.json', 'song_data/café.json'],
    ['an encoded slash', 'song_data%2FA%2Fx.json', 'song_data/A/x.json'],
  ])('decodes keys: %s', (_name, encoded, decoded) => {
    expect(decodeS3Key(encoded)).toBe(decoded);
    const body = s3EventBody(s3EventRecord({ bucket: 'b', key: decoded, encodedKey: encoded }));
    expect(objects(parseS3EventMessage(body)).map((e) => e.key)).toEqual([decoded]);
  });

  it('round-trips keys through the test helper encoder (as S3 encodes them)', () => {
    const keys = [
      'song_data/A/B/C/TR my song é.json',
      'log_data/2018/11/a+b=c (1)!~*.json',
      'song_data/東京/😀 100%.json',
    ];
    for (const key of keys) {
      const encoded = encodeS3EventKey(key);
      expect(encoded).toMatch(/^[A-Za-z0-9.*_\-/%+]+$/);
      expect(decodeS3Key(encoded)).toBe(key);
    }
    expect(encodeS3EventKey('song_data/A/B/C/TR my song é.json')).toBe('song_data/A/B/C/TR+my+song+%C3%A9.json');
  });

  it('returns every record of a multi-record message, in order, with its own bucket and event name', () => {
    const body = s3EventBody(
      s3EventRecord({ bucket: 'landing-a', key: 'song_data/A/A/A/one.json', eventName: 'ObjectCreated:Put' }),
      s3EventRecord({ bucket: 'landing-b', key: 'log_data/2018/11/two events.json', eventName: 'ObjectCreated:Copy' }),
      s3EventRecord({ bucket: 'landing-a', key: 'song_data/A/A/A/one.json', eventName: 'ObjectRemoved:Delete' }),
    );
    expect(located(parseS3EventMessage(body))).toEqual([
      { bucket: 'landing-a', key: 'song_data/A/A/A/one.json', eventName: 'ObjectCreated:Put' },
      { bucket: 'landing-b', key: 'log_data/2018/11/two events.json', eventName: 'ObjectCreated:Copy' },
      { bucket: 'landing-a', key: 'song_data/A/A/A/one.json', eventName: 'ObjectRemoved:Delete' },
    ]);
    // The later events of one key carry greater sequencers, and stay greater once normalised.
    const [created, , removed] = objects(parseS3EventMessage(body));
    expect(removed!.sequencer > created!.sequencer).toBe(true);
  });

  it('accepts an empty Records array as no events', () => {
    expect(parseS3EventMessage('{"Records":[]}')).toEqual({ kind: 'objects', events: [] });
  });

  it("names the event 'unknown' when eventName is missing", () => {
    expect(
      located(parseS3EventMessage('{"Records":[{"s3":{"bucket":{"name":"b"},"object":{"key":"k.json"}}}]}')),
    ).toEqual([{ bucket: 'b', key: 'k.json', eventName: 'unknown' }]);
  });
});

describe('parseS3EventMessage: sequencers', () => {
  const withSequencer = (sequencer: unknown): string =>
    JSON.stringify({
      Records: [
        {
          eventName: 'ObjectCreated:Put',
          s3: { bucket: { name: 'b' }, object: { key: 'song_data/a.json', sequencer } },
        },
      ],
    });

  it.each([
    ['an S3 sequencer (18 hex digits)', '0055AED6DCD90281E5', '0055AED6DCD90281E500000000000000'],
    ['lower-case hex', '0062e99a88dc407460', '0062E99A88DC40746000000000000000'],
    ['a short one', 'A', 'A0000000000000000000000000000000'],
    ['the longest accepted (32 digits)', 'F'.repeat(32), 'F'.repeat(32)],
  ])('normalises %s: upper case, right-padded with zeros to 32 digits', (_name, sequencer, expected) => {
    expect(objects(parseS3EventMessage(withSequencer(sequencer)))[0]!.sequencer).toBe(expected);
    expect(normalised(sequencer)).toBe(expected);
  });

  it("keeps S3's order: a shorter sequencer is compared as if padded with zeros on the right", () => {
    // S3: "compare the strings after right-padding the shorter one with zeros" — so "0056" is later than "0055FFFF".
    const earlier = objects(parseS3EventMessage(withSequencer('0055FFFF')))[0]!.sequencer;
    const later = objects(parseS3EventMessage(withSequencer('0056')))[0]!.sequencer;
    expect(earlier < later).toBe(true);
    const sameValue = objects(parseS3EventMessage(withSequencer('0056000')))[0]!.sequencer;
    expect(sameValue).toBe(later);
  });

  it('an event without a sequencer (a hand-made or backfilled message) ranks below every real one', () => {
    const missing = objects(parseS3EventMessage(withSequencer(undefined)))[0]!.sequencer;
    expect(missing).toBe('0'.repeat(32));
    expect(objects(parseS3EventMessage(withSequencer('')))[0]!.sequencer).toBe(missing);
    expect(missing < objects(parseS3EventMessage(withSequencer('0000000000000001')))[0]!.sequencer).toBe(true);
  });

  it.each([
    ['not hex', 'not-hex'],
    ['hex with a space', '0055 AED6'],
    ['a 0x prefix', '0x55AED6'],
    ['longer than 32 digits', '1'.repeat(33)],
  ])('a malformed sequencer (%s) makes the message malformed, naming the record', (_name, sequencer) => {
    expect(malformed(withSequencer(sequencer)).message).toMatch(/^Records\[0\]\.s3\.object\.sequencer: /);
  });
});

describe('parseS3EventMessage: s3:TestEvent', () => {
  it('recognises the test event S3 sends when a notification is configured', () => {
    const body = s3TestEventBody('sparkify-landing');
    expect(JSON.parse(body)).toMatchObject({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'sparkify-landing' });
    expect(parseS3EventMessage(body)).toEqual({ kind: 'test-event' });
  });

  it('recognises the literal test event body', () => {
    const body =
      '{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2018-11-01T21:01:00.796Z","Bucket":"sparkify-landing","RequestId":"5582815E1AEA5ADF","HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"}';
    expect(parseS3EventMessage(body).kind).toBe('test-event');
  });
});

describe('parseS3EventMessage: malformed bodies', () => {
  it.each([
    ['not JSON', 'hello', /^message body is not JSON: /],
    ['empty body', '', /^message body is not JSON: /],
    ['truncated JSON', '{"Records":[{"s3":', /^message body is not JSON: /],
    ['a JSON array', '[{"Records":[]}]', /^message body is not a JSON object$/],
    ['JSON null', 'null', /^message body is not a JSON object$/],
    ['a JSON string', '"s3:TestEvent"', /^message body is not a JSON object$/],
    ['no Records', '{"Message":"x"}', /message body has no Records array: not an S3 event notification/],
    ['Records not an array', '{"Records":{"s3":{}}}', /message body has no Records array/],
    ['an SNS envelope', '{"Type":"Notification","Message":"{\\"Records\\":[]}"}', /has no Records array/],
    ['a record without s3', '{"Records":[{"eventName":"ObjectCreated:Put"}]}', /^Records\[0\] has no s3 section$/],
    ['a record that is not an object', '{"Records":["x"]}', /^Records\[0\] has no s3 section$/],
    ['no bucket', '{"Records":[{"s3":{"object":{"key":"a.json"}}}]}', /^Records\[0\]\.s3\.bucket\.name is missing$/],
    [
      'bucket name not a string',
      '{"Records":[{"s3":{"bucket":{"name":7},"object":{"key":"a.json"}}}]}',
      /^Records\[0\]\.s3\.bucket\.name is missing$/,
    ],
    ['no object', '{"Records":[{"s3":{"bucket":{"name":"b"}}}]}', /^Records\[0\]\.s3\.object\.key is missing$/],
    [
      'key not a string',
      '{"Records":[{"s3":{"bucket":{"name":"b"},"object":{"key":null}}}]}',
      /^Records\[0\]\.s3\.object\.key is missing$/,
    ],
    [
      'a bad percent escape',
      '{"Records":[{"s3":{"bucket":{"name":"b"},"object":{"key":"song_data/100%.json"}}}]}',
      /^Records\[0\]\.s3\.object\.key is not URL-encoded correctly: song_data\/100%\.json$/,
    ],
    [
      'invalid UTF-8 bytes',
      '{"Records":[{"s3":{"bucket":{"name":"b"},"object":{"key":"song_data/%C3.json"}}}]}',
      /is not URL-encoded correctly: song_data\/%C3\.json/,
    ],
  ])('%s → MalformedMessageError saying what is wrong', (_name, body, message) => {
    expect(malformed(body).message).toMatch(message);
  });

  it('names the index of the bad record in a multi-record message', () => {
    const body = JSON.stringify({
      Records: [
        s3EventRecord({ bucket: 'b', key: 'song_data/ok.json' }),
        { s3: { bucket: { name: 'b' }, object: {} } },
      ],
    });
    expect(malformed(body).message).toBe('Records[1].s3.object.key is missing');
  });

  it('is an Error, so the batch processor reports the message as failed', () => {
    const error = malformed('nope');
    expect(error).toBeInstanceOf(Error);
  });
});
