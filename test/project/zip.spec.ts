import { deflateRawSync } from 'zlib';
import { crc32, createZip, readZip } from '../../lib/project/handlers/_zip';

describe('the release archive format (ZIP)', () => {
  test('what createZip writes, readZip reads back, byte for byte, and equal input gives equal archives', () => {
    const files = [{ name: 'manifest.json', data: Buffer.from('{"a":1}') }, { name: 'dir/ünïcode.json', data: Buffer.from([0, 1, 2, 255]) }];
    const archive = createZip(files);
    const read = readZip(archive);
    expect([...read.keys()]).toEqual(['manifest.json', 'dir/ünïcode.json']);
    expect(read.get('dir/ünïcode.json')).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(createZip(files).equals(archive)).toBe(true);
  });

  test('CRC-32 is the standard one (check value of "123456789")', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  test('deflated entries, as zip tools and CDK folder assets write them, are read', () => {
    const data = Buffer.from('x'.repeat(1000));
    const stored = createZip([{ name: 'a.txt', data }]);
    // Turn the stored entry into a deflated one: method 8 and the compressed bytes and size.
    const compressed = deflateRawSync(data);
    const local = Buffer.from(stored.subarray(0, 30 + 5));
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(compressed.length, 18);
    const central = Buffer.from(stored.subarray(30 + 5 + data.length, stored.length - 22));
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(compressed.length, 20);
    const end = Buffer.from(stored.subarray(stored.length - 22));
    end.writeUInt32LE(30 + 5 + compressed.length, 16);
    const deflated = Buffer.concat([local, compressed, central, end]);
    expect(readZip(deflated).get('a.txt')).toEqual(data);
  });

  test('anything else is refused with a reason', () => {
    expect(() => readZip(Buffer.from('not a zip at all, just some text that is long enough'))).toThrow(/Not a ZIP archive/);
  });
});
