/** The memory kinds a config chooses: what each hands the learning step, what it forgets, how it comes back from a snapshot. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { memoryKinds } from "../lib/agent/memory";
import { ReplayMemory } from "../lib/agent/replay-memory";
import { makeRng } from "../lib/random";

const sizes = { capacity: 5, episodeSteps: 3, stateSize: 2 };
const fill = (m: { push: ReplayMemory["push"] }, n: number) => {
  for (let i = 0; i < n; i++) m.push([i, -i], i % 3, -1, [i + 1, -i - 1], i === n - 1);
};

test("episode memory: the batch is the whole episode in order, whatever batch size is asked; learned() forgets it", () => {
  const m = memoryKinds.episode(sizes);
  fill(m, 3);
  const b = m.batch(1000, makeRng(1));
  assert.equal(b.size, 3);
  assert.deepEqual(Array.from(b.states), [0, -0, 1, -1, 2, -2]);
  assert.deepEqual(Array.from(b.dones), [0, 0, 1]);
  m.learned();
  assert.equal(m.size, 0);
});

test("replay memory: batches drawn exactly as ReplayMemory.sample draws them; learned() keeps everything", () => {
  const m = memoryKinds.replay(sizes), ring = new ReplayMemory(5, 2);
  fill(m, 7);
  fill(ring, 7);
  assert.equal(m.size, 5);
  assert.deepEqual(m.batch(4, makeRng(9)), ring.sample(4, makeRng(9)));
  m.learned();
  assert.equal(m.size, 5);
});

test("a snapshot comes back whole; one of other sizes is refused with both sizes named", () => {
  const m = memoryKinds.replay(sizes);
  fill(m, 4);
  const back = memoryKinds.replay(sizes, m.snapshot());
  assert.deepEqual(back.snapshot(), m.snapshot());
  assert.throws(() => memoryKinds.replay({ ...sizes, capacity: 6 }, m.snapshot()), /saved holding 5 transitions of 2 numbers, but this run's holds 6 of 2/);
  assert.throws(() => memoryKinds.episode(sizes, m.snapshot()), /saved holding 5 transitions .* holds 3 of 2/);
});
