import { describe, expect, it } from 'vitest';
import { parseRequest, SignalingError } from '../../server/signaling/protocol.js';

const reject = (text: string): SignalingError => {
  try {
    parseRequest(text);
  } catch (error) {
    expect(error).toBeInstanceOf(SignalingError);
    return error as SignalingError;
  }
  throw new Error('expected a SignalingError');
};

describe('signaling protocol', () => {
  it('accepts a well-formed request', () => {
    expect(parseRequest('{"id":1,"method":"join","data":{"room":"r1","role":"viewer"}}')).toEqual({
      id: 1,
      request: { method: 'join', data: { room: 'r1', role: 'viewer' } },
    });
  });

  it('rejects what is not JSON, not an object, or has no id', () => {
    expect(reject('hello').message).toMatch(/not JSON/);
    expect(reject('[1,2]').message).toMatch(/JSON object/);
    expect(reject('{"method":"join"}').message).toMatch(/id: expected/);
  });

  it('names the method and the field that is wrong, keeping the request id', () => {
    const unknown = reject('{"id":7,"method":"fly","data":{}}');
    expect(unknown.message).toMatch(/method: Invalid discriminator value/);
    expect(unknown.requestId).toBe(7);
    expect(reject('{"id":8,"method":"join","data":{"room":"r1","role":"boss"}}').message).toBe(
      'join: data.role: Invalid option: expected one of "publisher"|"viewer"',
    );
    expect(reject('{"id":9,"method":"join","data":{"room":"no spaces","role":"viewer"}}').message).toMatch(/data.room: room names use/);
  });
});
