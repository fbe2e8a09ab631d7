import { describe, expect, it, vi } from 'vitest';
import { TypedEmitter } from '../../common/TypedEmitter.js';

describe('TypedEmitter', () => {
  it('a listener that throws is reported; the others still run and emit does not throw', () => {
    const emitter = new TypedEmitter<{ entry: [n: number] }>();
    const seen: number[] = [];
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    emitter.on('entry', () => {
      throw new Error('broken output');
    });
    emitter.on('entry', (n) => seen.push(n));
    expect(emitter.emit('entry', 7)).toBe(true);
    expect(seen).toEqual([7]);
    expect(error).toHaveBeenCalledWith('livedrill: a listener of "entry" threw: broken output');
    error.mockRestore();
  });

  it('once listeners run once', () => {
    const emitter = new TypedEmitter<{ tick: [] }>();
    let calls = 0;
    emitter.once('tick', () => calls++);
    emitter.emit('tick');
    emitter.emit('tick');
    expect(calls).toBe(1);
    expect(emitter.emit('tick')).toBe(false);
  });
});
