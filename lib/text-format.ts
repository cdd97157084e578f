/**
 * How times, numbers and episode records read as text, wherever they are
 * shown: the command line's progress and results, and the notebooks' status
 * lines. One clock format everywhere: m:ss, or h:mm:ss from an hour on.
 */
/** The fields of an episode record (lib/train's EpisodeRecord) that lines show; declared here, as this module sits below lib/train. */
export interface ShownEpisode {
  episode: number;
  return: number;
  average100: number;
  epsilon: number;
  seconds: number;
}

/** Elapsed seconds as m:ss, or h:mm:ss from an hour on (whole seconds, rounded down). */
export function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h > 0 ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

/**
 * Python's "{:.Nf}": the exact binary value rounded half to even (JS's
 * toFixed rounds exact ties up: an average over 16 episodes of -95.0625 is
 * "-95.062" in Python, "-95.063" with toFixed), plus nan, inf and "-0.000".
 */
export function pyFixed(x: number, digits = 3): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  if (a >= 1e21 || digits > 20) return sign + a.toFixed(Math.min(digits, 100));
  // toFixed(100) is the exact decimal expansion for any value that can round to a non-zero digit here.
  const [whole, frac] = a.toFixed(100).split(".");
  const kept = BigInt(whole + frac.slice(0, digits));
  const rest = frac.slice(digits);
  const tie = rest[0] === "5" && /^0*$/.test(rest.slice(1));
  const up = rest[0] > "5" || (rest[0] === "5" && !tie) || (tie && kept % 2n === 1n);
  const n = (up ? kept + 1n : kept).toString().padStart(digits + 1, "0");
  return digits === 0 ? sign + n : `${sign}${n.slice(0, -digits)}.${n.slice(-digits)}`;
}

/** The lesson's line, exactly: `[Episode N] Reward : r, Average reward : avg`. */
export function lessonLine(record: ShownEpisode): string {
  return `[Episode ${record.episode}] Reward : ${pyFixed(record.return)}, Average reward : ${pyFixed(record.average100)}`;
}

/** One status line: episode, return, 100-episode average, epsilon, recent episodes per second, elapsed time. */
export function statusLine(records: readonly ShownEpisode[], solvedAt?: number): string {
  const r = records[records.length - 1];
  if (r === undefined) return "training: no episode finished yet";
  const prev = records[Math.max(0, records.length - 21)]; // rate over the last 20 episodes
  const span = r.seconds - (prev === r ? 0 : prev.seconds);
  const episodes = prev === r ? r.episode : r.episode - prev.episode;
  const perSecond = episodes / span;
  const rate = span > 0 ? (perSecond < 10 ? perSecond.toPrecision(3) : perSecond.toFixed(1)) : "-";
  const bar = solvedAt !== undefined ? ` (bar ${solvedAt})` : "";
  return (
    `episode ${r.episode} | return ${r.return.toFixed(1)} | 100-episode average ${r.average100.toFixed(2)}${bar} | ` +
    `epsilon ${r.epsilon.toFixed(3)} | ${rate} episodes/s | elapsed ${clock(r.seconds)}`
  );
}

