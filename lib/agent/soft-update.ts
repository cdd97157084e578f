/**
 * The soft (Polyak) target update: instead of overwriting the target network
 * with the online one, move it a fraction tau of the way,
 *
 *     target <- tau * online + (1 - tau) * target,
 *
 * at each scheduled sync (CleanRL's dqn.py with tau < 1; DDPG and SAC do it
 * after every update). tau = 1 is the hard copy.
 */
import { tf } from "../tf";

/** Blends `online`'s weights into `target`'s with rate tau (0 < tau <= 1); throws on a bad tau or networks of different shapes. */
export function softUpdate(online: tf.LayersModel, target: tf.LayersModel, tau: number): void {
  if (typeof tau !== "number" || !(tau > 0 && tau <= 1)) throw new RangeError(`softUpdate: tau must be a number > 0 and <= 1; got ${String(tau)}`);
  const from = online.getWeights(), to = target.getWeights();
  const shapes = (ws: tf.Tensor[]) => JSON.stringify(ws.map((w) => w.shape));
  if (shapes(from) !== shapes(to)) throw new RangeError(`softUpdate: the networks differ in shape (${shapes(from)} against ${shapes(to)})`);
  const blended = tf.tidy(() => from.map((w, i) => tf.add(tf.mul(w, tau), tf.mul(to[i], 1 - tau))));
  target.setWeights(blended); // copies the values into the target's variables
  tf.dispose(blended);
}
