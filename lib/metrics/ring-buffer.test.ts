import { describe, expect, it } from "vitest";
import { RingBuffer } from "./ring-buffer";

describe("RingBuffer", () => {
  it.each([0, -1, 1.5, NaN])("refuses capacity %s", (c) => expect(() => new RingBuffer(c)).toThrow(RangeError));

  it.each([
    { capacity: 3, pushed: [], expected: [] },
    { capacity: 3, pushed: [1, 2], expected: [1, 2] },
    { capacity: 3, pushed: [1, 2, 3], expected: [1, 2, 3] },
    { capacity: 3, pushed: [1, 2, 3, 4], expected: [2, 3, 4] },
    { capacity: 3, pushed: [1, 2, 3, 4, 5, 6, 7], expected: [5, 6, 7] },
    { capacity: 1, pushed: [1, 2, 3], expected: [3] },
  ])("capacity $capacity after $pushed holds $expected", ({ capacity, pushed, expected }) => {
    const rb = new RingBuffer<number>(capacity);
    for (const p of pushed) rb.push(p);
    expect(rb.toArray()).toEqual(expected);
    expect(rb.size).toBe(expected.length);
    expect(rb.last()).toBe(expected.at(-1));
  });

  it.each([
    { pushed: [1, 2, 3, 4, 5], min: 3, expected: [3, 4, 5] },
    { pushed: [1, 2, 3, 4, 5, 6, 7], min: 6, expected: [6, 7] },
    { pushed: [1, 2, 3, 4, 5, 6, 7], min: 0, expected: [3, 4, 5, 6, 7] },
    { pushed: [1, 2], min: 9, expected: [] },
  ])("takeLastWhile(>= $min) over $pushed (capacity 5)", ({ pushed, min, expected }) => {
    const rb = new RingBuffer<number>(5);
    for (const p of pushed) rb.push(p);
    expect(rb.takeLastWhile((v) => v >= min)).toEqual(expected);
  });

  it("stays bounded over many pushes and clears", () => {
    const rb = new RingBuffer<number>(900);
    for (let i = 0; i < 10_000; i++) rb.push(i);
    expect(rb.size).toBe(900);
    expect(rb.toArray()[0]).toBe(9100);
    rb.clear();
    expect(rb.size).toBe(0);
    expect(rb.last()).toBeUndefined();
  });
});
