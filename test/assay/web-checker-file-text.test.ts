import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { asText, lineCount } from '../../src/core/review/file-text.ts';

describe('what a checker reads inline and comments on', () => {
  it('reads UTF-8 without NUL as text, anything else as a file to download', () => {
    assert.equal(asText(Buffer.from('print("héllo")\n')), 'print("héllo")\n');
    assert.equal(asText(Buffer.from('')), '');
    assert.equal(asText(Buffer.from([0x61, 0x00, 0x62])), null, 'NUL: binary');
    assert.equal(asText(Buffer.from([0xff, 0xfe, 0x41])), null, 'not UTF-8');
    assert.equal(asText(Buffer.from([0xe2, 0x82])), null, 'cut in the middle of a character');
  });

  it('counts lines as an editor shows them', () => {
    assert.equal(lineCount(''), 1);
    assert.equal(lineCount('a'), 1);
    assert.equal(lineCount('a\n'), 1);
    assert.equal(lineCount('a\nb'), 2);
    assert.equal(lineCount('a\nb\n'), 2);
    assert.equal(lineCount('a\n\n'), 2);
    assert.equal(lineCount('\n\n\n'), 3);
    assert.equal(lineCount('a\r\nb\r\n'), 2);
  });
});
